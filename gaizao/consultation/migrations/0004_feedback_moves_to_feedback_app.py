"""Feedback and satisfaction moved to the feedback app (issue 7). The tables
stay where they are (consultation_feedback, …): this only removes the models
from consultation's migration state; gaizao.feedback's 0001 takes them over
with the same db_table, and its 0002 moves content types and audit entries."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consultation', '0003_vote_past_reason'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='feedback',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='feedback',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='feedback',
                    name='reporter',
                ),
                migrations.RemoveField(
                    model_name='feedback',
                    name='responsible_org',
                ),
                migrations.RemoveField(
                    model_name='feedback',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='feedbackevent',
                    name='feedback',
                ),
                migrations.RemoveField(
                    model_name='feedbackevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='responsibleparty',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='responsibleparty',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='satisfactionevaluation',
                    name='closed_by',
                ),
                migrations.RemoveField(
                    model_name='satisfactionevaluation',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='satisfactionevaluation',
                    name='opened_by',
                ),
                migrations.RemoveField(
                    model_name='satisfactionresponse',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='satisfactionresponse',
                    name='respondent',
                ),
                migrations.RemoveField(
                    model_name='satisfactionresponse',
                    name='unit',
                ),
                migrations.DeleteModel(
                    name='FeedbackPhoto',
                ),
                migrations.DeleteModel(
                    name='Feedback',
                ),
                migrations.DeleteModel(
                    name='FeedbackEvent',
                ),
                migrations.DeleteModel(
                    name='ResponsibleParty',
                ),
                migrations.DeleteModel(
                    name='SatisfactionEvaluation',
                ),
                migrations.DeleteModel(
                    name='SatisfactionResponse',
                ),
            ],
        ),
    ]
