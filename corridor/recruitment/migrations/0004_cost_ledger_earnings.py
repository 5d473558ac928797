# The cost ledger: amounts drawn from an agency's guarantee deposit towards a refund order, and the worker's first
# monthly earnings at destination (SDG indicator 10.7.1).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('employers', '0001_initial'),
        ('programmes', '0001_initial'),
        ('recruitment', '0003_proceeding_deciders'),
        ('workers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FirstEarnings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='First day of the month the earnings are for.', verbose_name='month')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='monthly earnings')),
                ('currency', models.CharField(max_length=3, verbose_name='currency')),
                ('rates', models.JSONField(blank=True, default=dict, verbose_name='exchange rates')),
                ('recorded_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['programme_id', 'worker_id'],
            },
        ),
        migrations.AddField(
            model_name='costentry',
            name='amount_in_violation',
            field=models.DecimalField(decimal_places=2, default=0, help_text='The part of the amount that breaks the fee policy (to refund).', max_digits=12),
        ),
        migrations.AddConstraint(
            model_name='costentry',
            constraint=models.CheckConstraint(condition=models.Q(('amount_in_violation__gte', 0), ('amount_in_violation__lte', models.F('amount'))), name='cost_violation_within_amount'),
        ),
        migrations.AddField(
            model_name='refundorder',
            name='amount_recovered',
            field=models.DecimalField(decimal_places=2, default=0, help_text="Drawn so far from the agency's guarantee deposit.", max_digits=12),
        ),
        migrations.AddConstraint(
            model_name='refundorder',
            constraint=models.CheckConstraint(condition=models.Q(('amount_recovered__gte', 0), ('amount_recovered__lte', models.F('amount'))), name='refund_recovered_within_amount'),
        ),
        migrations.AddField(
            model_name='firstearnings',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.programme'),
        ),
        migrations.AddField(
            model_name='firstearnings',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='firstearnings',
            name='worker',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='first_earnings', to='workers.worker'),
        ),
        migrations.AddConstraint(
            model_name='firstearnings',
            constraint=models.UniqueConstraint(fields=('worker', 'programme'), name='first_earnings_once_per_programme'),
        ),
        migrations.AddConstraint(
            model_name='firstearnings',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='first_earnings_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='firstearnings',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='first_earnings_currency_iso'),
        ),
    ]
