# Which worker process (host:pid) claimed a job: the reconciler takes back a running job whose
# claimant's heartbeat is gone (issue 17, defect 8).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('therapy_sessions', '0008_job_idempotency_fingerprint'),
    ]

    operations = [
        migrations.AddField(
            model_name='notejob',
            name='claimed_by',
            field=models.CharField(blank=True, default='', max_length=255),
        ),
    ]
