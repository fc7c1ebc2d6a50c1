"""Anonymous responses' receipts were sha256(nonce), and the nonce is readable in the
emailed link: anyone holding the link could find the response. Replace each with a
random value that nothing else holds (see surveys.models)."""

import secrets

from django.db import migrations

BATCH = 1000


def receipts_replace(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    ids = list(
        Response.objects.filter(survey__is_anonymous=True)
        .exclude(receipt__startswith="invitation:")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        batch = [
            Response(pk=pk, receipt=secrets.token_hex(32)) for pk in ids[start : start + BATCH]
        ]
        Response.objects.bulk_update(batch, ["receipt"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_surveys")]

    # The old receipts must not be recoverable, so there is nothing to go back to.
    operations = [migrations.RunPython(receipts_replace, migrations.RunPython.noop)]
