"""The models of feedback and satisfaction, taken over from consultation
(issue 7) in the migration state only: their tables already exist under
their old names (Meta.db_table), made by consultation's 0001."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('consultation', '0004_feedback_moves_to_feedback_app'),
        ('inventory', '0003_compound_bounds'),
        ('regions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('assisted', models.BooleanField(default=False, verbose_name='代为登记')),
                        ('reporter_name', models.CharField(blank=True, max_length=64, verbose_name='反映人姓名')),
                        ('reporter_phone', models.CharField(blank=True, max_length=32, verbose_name='联系电话')),
                        ('category', models.CharField(choices=[('construction_quality', '施工质量'), ('construction_safety', '施工安全'), ('noise_dust', '噪音扬尘'), ('progress', '施工进度'), ('civilised', '文明施工'), ('utilities', '水电气管线'), ('property_service', '物业服务'), ('facility_damage', '设施损坏'), ('other', '其他')], max_length=32, verbose_name='类别')),
                        ('text', models.TextField(verbose_name='问题描述')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='位置')),
                        ('status', models.CharField(choices=[('open', '待受理'), ('accepted', '处理中'), ('fixed', '已整改,待确认'), ('confirmed', '已解决'), ('reopened', '未解决,重新处理')], default='open', max_length=16, verbose_name='状态')),
                        ('due_on', models.DateField(verbose_name='办理期限')),
                        ('fixed_at', models.DateTimeField(blank=True, null=True, verbose_name='整改时间')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='办结时间')),
                        ('auto_confirmed', models.BooleanField(default=False, verbose_name='逾期未答自动确认')),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='inventory.compound', verbose_name='小区')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                        ('reporter', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feedback', to=settings.AUTH_USER_MODEL, verbose_name='反映人')),
                        ('responsible_org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feedback_items', to='regions.organisation', verbose_name='责任单位')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='inventory.unit', verbose_name='住户')),
                    ],
                    options={
                        'verbose_name': '居民反馈',
                        'verbose_name_plural': '居民反馈',
                        'db_table': 'consultation_feedback',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                        ('action', models.CharField(choices=[('create', '提交反馈'), ('accept', '受理'), ('fix', '整改完成'), ('confirm', '确认已解决'), ('reopen', '反映未解决'), ('auto_confirm', '逾期未答,自动确认')], max_length=16, verbose_name='操作')),
                        ('from_status', models.CharField(blank=True, max_length=16)),
                        ('to_status', models.CharField(max_length=16)),
                        ('comment', models.TextField(blank=True, verbose_name='说明')),
                        ('assisted', models.BooleanField(default=False, verbose_name='代为登记')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='feedback.feedback')),
                    ],
                    options={
                        'verbose_name': '反馈处理记录',
                        'verbose_name_plural': '反馈处理记录',
                        'db_table': 'consultation_feedbackevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FeedbackPhoto',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.FileField(upload_to='feedback/%Y/%m/', verbose_name='照片')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('feedback', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='feedback.feedback')),
                    ],
                    options={
                        'verbose_name': '反馈照片',
                        'verbose_name_plural': '反馈照片',
                        'db_table': 'consultation_feedbackphoto',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='ResponsibleParty',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('kind', models.CharField(choices=[('contractor', '施工单位'), ('utility', '专营单位(水电气)')], max_length=16, verbose_name='类别')),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responsible_parties', to='inventory.compound', verbose_name='小区')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responsible_for', to='regions.organisation', verbose_name='责任单位')),
                    ],
                    options={
                        'verbose_name': '反馈责任单位',
                        'verbose_name_plural': '反馈责任单位',
                        'db_table': 'consultation_responsibleparty',
                    },
                ),
                migrations.CreateModel(
                    name='SatisfactionEvaluation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('title', models.CharField(max_length=128, verbose_name='标题')),
                        ('status', models.CharField(choices=[('open', '进行中'), ('closed', '已结束')], default='open', max_length=8, verbose_name='状态')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='结束人')),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='satisfaction_evaluations', to='inventory.compound', verbose_name='小区')),
                        ('opened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                    ],
                    options={
                        'verbose_name': '满意度评价',
                        'verbose_name_plural': '满意度评价',
                        'db_table': 'consultation_satisfactionevaluation',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SatisfactionResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('overall', models.PositiveSmallIntegerField(verbose_name='总体评价')),
                        ('quality', models.PositiveSmallIntegerField(verbose_name='施工质量')),
                        ('content', models.PositiveSmallIntegerField(verbose_name='改造内容')),
                        ('civility', models.PositiveSmallIntegerField(verbose_name='施工过程文明')),
                        ('management', models.PositiveSmallIntegerField(verbose_name='后续管理')),
                        ('comment', models.TextField(blank=True, verbose_name='意见建议')),
                        ('evaluation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='feedback.satisfactionevaluation')),
                        ('respondent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='填写人')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='inventory.unit', verbose_name='住户')),
                    ],
                    options={
                        'verbose_name': '满意度评价答卷',
                        'verbose_name_plural': '满意度评价答卷',
                        'db_table': 'consultation_satisfactionresponse',
                    },
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['compound', 'status'], name='consultatio_compoun_bfda38_idx'),
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['responsible_org', 'status'], name='consultatio_respons_070ed8_idx'),
                ),
                migrations.AddIndex(
                    model_name='feedback',
                    index=models.Index(fields=['status', 'due_on'], name='consultatio_status_1c01e7_idx'),
                ),
                migrations.AddConstraint(
                    model_name='feedback',
                    constraint=models.CheckConstraint(condition=models.Q(('reporter__isnull', False), ('assisted', True), _connector='OR'), name='feedback_reporter_or_assisted'),
                ),
                migrations.AddConstraint(
                    model_name='responsibleparty',
                    constraint=models.UniqueConstraint(fields=('compound', 'kind'), name='responsible_party_unique'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionevaluation',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('compound',), name='satisfaction_one_open_per_compound'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.UniqueConstraint(fields=('evaluation', 'unit'), name='satisfaction_one_response_per_unit'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.CheckConstraint(condition=models.Q(('overall__gte', 1), ('overall__lte', 5)), name='satisfaction_overall_1_to_5'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.CheckConstraint(condition=models.Q(('quality__gte', 1), ('quality__lte', 5)), name='satisfaction_quality_1_to_5'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.CheckConstraint(condition=models.Q(('content__gte', 1), ('content__lte', 5)), name='satisfaction_content_1_to_5'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.CheckConstraint(condition=models.Q(('civility__gte', 1), ('civility__lte', 5)), name='satisfaction_civility_1_to_5'),
                ),
                migrations.AddConstraint(
                    model_name='satisfactionresponse',
                    constraint=models.CheckConstraint(condition=models.Q(('management__gte', 1), ('management__lte', 5)), name='satisfaction_management_1_to_5'),
                ),
            ],
        ),
    ]
