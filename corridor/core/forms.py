"""Form helpers shared by the apps' pages."""


class DescribedByMixin:
    """Lets a form point each input at its hint and error paragraphs, for screen readers (WCAG 1.3.1, 3.3.1)."""

    def set_described_by(self) -> None:
        """Set aria-describedby and aria-invalid from the ids that _field.html renders."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.id_for_label}-hint")
            if bound.errors:
                ids.append(f"{bound.id_for_label}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)
