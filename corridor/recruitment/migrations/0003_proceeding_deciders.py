# Due process: who decided a proceeding and who decided the appeal (four eyes), the last day to appeal, and the
# licence's state before an upheld decision (restored if the appeal overturns it); when a rating was moderated or changed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='agencyrating',
            name='moderated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='agencyrating',
            name='updated_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='licenceproceeding',
            name='appeal_decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='licenceproceeding',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='licenceproceeding',
            name='licence_before',
            field=models.JSONField(blank=True, default=dict, help_text="The licence's status, suspension date and reason before an upheld decision, restored if overturned."),
        ),
        migrations.AddField(
            model_name='licenceproceeding',
            name='appeal_by',
            field=models.DateField(blank=True, null=True, verbose_name='appeal by'),
        ),
    ]
