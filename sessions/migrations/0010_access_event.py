# The read audit (issue 17, design gap 9): an append-only log of who read which record.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('therapy_sessions', '0009_job_claimed_by'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor_id', models.BigIntegerField(blank=True, null=True)),
                ('actor_username', models.CharField(max_length=150)),
                ('object_type', models.CharField(choices=[('patient', 'Patient'), ('session', 'Session'), ('note', 'Note'), ('job', 'Job')], max_length=16)),
                ('object_id', models.CharField(max_length=64)),
                ('patient_id', models.BigIntegerField(blank=True, null=True)),
                ('channel', models.CharField(choices=[('api', 'API'), ('admin', 'Admin'), ('review', 'Review screen')], max_length=16)),
                ('method', models.CharField(max_length=8)),
                ('endpoint', models.CharField(max_length=255)),
                ('client_address', models.CharField(blank=True, default='', max_length=64)),
            ],
            options={
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='therapy_ses_object__f8e1e2_idx'), models.Index(fields=['patient_id', 'at'], name='therapy_ses_patient_479b07_idx'), models.Index(fields=['actor_id', 'at'], name='therapy_ses_actor_i_a51f84_idx')],
            },
        ),
    ]
