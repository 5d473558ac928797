// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so that screen-reader users hear what to fix.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Occupation autocomplete: clicking a suggestion fills the field it belongs to.
  document.body.addEventListener("click", function (event) {
    var option = event.target.closest("[data-fill-target]");
    if (!option) { return; }
    event.preventDefault();
    var target = document.getElementById(option.getAttribute("data-fill-target"));
    if (target) {
      var value = option.getAttribute("data-fill-value");
      if (target.hasAttribute("data-append")) {
        // A list field (comma-separated codes): add the code once.
        var codes = target.value.split(",").map(function (c) { return c.trim(); }).filter(Boolean);
        if (codes.indexOf(value) === -1) { codes.push(value); }
        value = codes.join(", ");
      }
      target.value = value;
      target.dispatchEvent(new Event("change", { bubbles: true }));
      target.focus();
    }
    var list = option.closest(".autocomplete-results");
    if (list) { list.innerHTML = ""; }
  });
});
