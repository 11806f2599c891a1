"""CatalogItem moved from plans to catalogue (issue 7): the table keeps its
name (plans_catalogitem), so this is a state-only move. The content type and
the audit entries that name the model follow it, so the history of an item
stays reachable."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

OLD, NEW = "plans.catalogitem", "catalogue.catalogitem"


def forwards(apps, schema_editor):
    _move(apps, "plans", "catalogue", OLD, NEW)


def backwards(apps, schema_editor):
    _move(apps, "catalogue", "plans", NEW, OLD)


def _move(apps, old_app, new_app, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    old = ContentType.objects.filter(app_label=old_app, model="catalogitem").first()
    if old is not None:
        # A content type created for the new label before this ran has no
        # permissions or rows of its own worth keeping: the old one (with its
        # permissions) takes its place.
        ContentType.objects.filter(app_label=new_app, model="catalogitem").delete()
        old.app_label = new_app
        old.save(update_fields=["app_label"])
    AuditEntry.objects.filter(model=old_label).update(model=new_label)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("regions", "0001_initial"),
        # The table was created (and the built-in catalogue loaded) by plans.
        ("plans", "0002_builtin_catalogue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CatalogItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('code', models.CharField(max_length=48, verbose_name='编码')),
                        ('name', models.CharField(max_length=128, verbose_name='名称')),
                        ('name_en', models.CharField(blank=True, max_length=128, verbose_name='英文名称')),
                        ('tier', models.CharField(choices=[('basic', '基础类'), ('improvement', '完善类'), ('enhancement', '提升类'), ('safety', '安全类')], max_length=16, verbose_name='类别')),
                        ('unit', models.CharField(choices=[('m', 'm'), ('m²', 'm²'), ('个', '个'), ('套', '套'), ('处', '处'), ('项', '项'), ('部', '部')], max_length=8, verbose_name='计量单位')),
                        ('unit_cost', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='单价(元)')),
                        ('facility', models.CharField(blank=True, choices=[('water_pipes', '供水管线管道'), ('sewage_pipes', '污水管道及落水管'), ('septic_drains', '化粪池及排水管(沟)'), ('rain_sewage_separation', '雨污分流'), ('rooftop_solar', '屋顶太阳能'), ('street_lamps', '小区路灯'), ('stairwell_lighting', '楼道照明'), ('power_telecom_lines', '强弱电管线'), ('roads', '小区道路'), ('parking', '停车泊位'), ('gas_pipes', '燃气管线管道'), ('ebike_sheds', '电动自行车棚'), ('fire_lanes', '消防通道'), ('waste_sorting', '生活垃圾分类投放设施'), ('security_cameras', '安防监控设施'), ('barrier_free', '无障碍通道'), ('stairs_handrails', '楼梯踏步扶手'), ('stairwell_walls', '楼道墙面'), ('building_signs', '楼栋标识'), ('unit_fire_equipment', '单元消防设施'), ('unit_doors', '单元防盗门(门禁)'), ('walls_gates', '围墙和大门(道闸)'), ('cooking_fumes', '餐饮油烟等污染治理'), ('illegal_structures', '乱搭乱建清理'), ('plaza', '公共活动广场'), ('fitness_equipment', '室外健身器材'), ('benches', '休闲座椅'), ('mail_parcel_boxes', '信报箱、快递柜'), ('notice_boards', '文化宣传栏'), ('health_station', '小区卫生站'), ('reading_room', '图书室'), ('greenery', '小区绿化')], max_length=32, null=True, verbose_name='对应设施')),
                        ('funding_sources', models.JSONField(blank=True, default=list, verbose_name='可用资金来源')),
                        ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='适用年度')),
                        ('estimate_basis', models.CharField(blank=True, choices=[('', '不自动估算'), ('floor_area', '按建筑面积'), ('building', '按楼栋数'), ('entrance', '按单元数'), ('household', '按户数'), ('road_length', '按道路长度'), ('road_area', '按道路面积'), ('lamp', '按路灯间距'), ('compound', '每小区一项')], default='', max_length=16, verbose_name='工程量估算依据')),
                        ('estimate_factor', models.DecimalField(decimal_places=4, default=Decimal('1'), max_digits=10, verbose_name='估算系数')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                        ('active', models.BooleanField(default=True, verbose_name='启用')),
                        ('jurisdiction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='catalogue_items', to='regions.area', verbose_name='适用辖区')),
                    ],
                    options={
                        'verbose_name': '改造内容',
                        'verbose_name_plural': '改造内容',
                        'ordering': ['code', 'jurisdiction_id', 'year'],
                        'db_table': 'plans_catalogitem',
                        'constraints': [
                            models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', True), ('year__isnull', True)), fields=('code',), name='catalog_unique_default'),
                            models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', True), ('year__isnull', False)), fields=('code', 'year'), name='catalog_unique_default_year'),
                            models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', False), ('year__isnull', True)), fields=('code', 'jurisdiction'), name='catalog_unique_area'),
                            models.UniqueConstraint(condition=models.Q(('jurisdiction__isnull', False), ('year__isnull', False)), fields=('code', 'jurisdiction', 'year'), name='catalog_unique_area_year'),
                            models.CheckConstraint(condition=models.Q(('unit_cost__gte', 0)), name='catalog_unit_cost_nonnegative'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
