"""The 民情账本 as a spreadsheet: export, the import template, and reading an import sheet."""

import io
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lucun.text import mask_phone

from .models import AttentionTag, Household

# (key, header) of the import sheet; the header text is what the template shows and what is read back.
IMPORT_COLUMNS = [
    ("head_name", "户主姓名*"),
    ("phone", "联系电话"),
    ("people_count", "家庭人口"),
    ("grid", "网格"),
    ("group", "村民小组"),
    ("door_number", "门牌号"),
    ("estate", "小区"),
    ("building", "楼号"),
    ("unit", "单元"),
    ("room", "室"),
    ("attention_level", "关注等级"),
    ("tags", "关注标签"),
    ("note", "备注"),
]
MAX_IMPORT_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bold_header(sheet, headers: list[str], widths: list[int]) -> None:
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def import_template(*, tags: Iterable[AttentionTag]) -> bytes:
    """Return the import template: the header row, two example rows and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    _bold_header(sheet, [h for _, h in IMPORT_COLUMNS], [12, 14, 8, 12, 10, 8, 12, 6, 6, 6, 10, 20, 20])
    sheet.append(["张建国", "13800001234", 4, "第一网格", "一组", "12", "", "", "", "", "一般", "", ""])
    sheet.append(["李秀英", "", 1, "", "", "", "雍翠园", "3", "2", "501", "重点", "独居/空巢老人", "示例,导入前请删除"])
    help_sheet = workbook.create_sheet("填写说明")
    lines = [
        _("每行一户。户主姓名必填;地址填写“村民小组+门牌号”或“小区+楼号+单元+室”。"),
        _("网格须与本村(居)已有网格名称一致,可留空。"),
        _("关注等级:一般(每轮走访一次)、重点(每月一次)、特别关注(每两周一次);留空时有标签为重点,否则为一般。"),
        _("关注标签可填多个,用顿号“、”或逗号分隔,须为下列之一:") + "、".join(t.name for t in tags),
        _("任何一行有误时整张表都不会导入,系统会列出每一行的问题,改正后重新上传即可。"),
    ]
    for line in lines:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    return _save(workbook)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_import_sheet(upload) -> list[tuple[int, dict]]:
    """Read the first sheet of an uploaded .xlsx into ``(row_number, values)``; blank rows are skipped.

    Raise ValidationError when the file is not a workbook or its header is not the template's.
    """
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("无法读取该文件,请上传由模板填写的 .xlsx 表格。")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(rows, ())]
        by_header = {h.rstrip("*"): i for i, h in enumerate(header) if h}
        missing = [h for _, h in IMPORT_COLUMNS if h.rstrip("*") not in by_header]
        if missing:
            raise ValidationError(
                _("表头与模板不一致,缺少列:%(cols)s。请下载模板重新填写。") % {"cols": "、".join(missing)}
            )
        parsed: list[tuple[int, dict]] = []
        for row_number, row in enumerate(rows, start=2):
            values = {
                key: _cell_text(row[by_header[h.rstrip("*")]]) if by_header[h.rstrip("*")] < len(row) else ""
                for key, h in IMPORT_COLUMNS
            }
            if not any(values.values()):
                continue
            values["tags"] = [t for t in re.split(r"[、,,;;\s]+", values["tags"]) if t]
            parsed.append((row_number, values))
            if len(parsed) > MAX_IMPORT_ROWS:
                raise ValidationError(_("一次最多导入 %(n)d 户,请分批上传。") % {"n": MAX_IMPORT_ROWS})
        return parsed
    finally:
        workbook.close()


EXPORT_HEADERS = ["网格", "地址", "户主", "联系电话", "家庭人口", "关注等级", "关注标签", "最近走访", "待办诉求"]


def export_row(household: Household, *, sensitive: bool) -> list:
    last = household.last_visited_at
    tags = household.tags.all() if sensitive else [t for t in household.tags.all() if not t.sensitive]
    return [
        household.grid.name if household.grid else "",
        household.address,
        household.head_name,
        household.phone if sensitive else mask_phone(household.phone),
        household.people_count,
        household.get_attention_level_display(),
        "、".join(t.name for t in tags),
        timezone.localtime(last).strftime("%Y-%m-%d") if last else _("从未走访"),
        getattr(household, "open_requests", 0),
    ]


def export_ledger(*, community_name: str, households: Iterable[Household], sensitive: bool) -> bytes:
    """Return the community ledger as an .xlsx workbook, one row per household."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "民情账本"
    _bold_header(sheet, EXPORT_HEADERS, [12, 28, 10, 14, 8, 20, 24, 12, 8])
    for household in households:
        sheet.append(export_row(household, sensitive=sensitive))
    sheet.append([])
    sheet.append(
        [_("%(c)s 民情账本,导出于 %(t)s") % {"c": community_name, "t": f"{timezone.localtime():%Y-%m-%d %H:%M}"}]
    )
    return _save(workbook)
