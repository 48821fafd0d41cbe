import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="idempotencyrecord", name="order"),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="order",
            field=models.ForeignKey(
                blank=True,
                db_column="order_code",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="orders.order",
                to_field="code",
            ),
        ),
    ]
