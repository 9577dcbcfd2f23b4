"""Traditional forms of the characters the registry's labels and titles print, as their simplified
forms: the recogniser reads a worn glyph as its traditional twin now and then (規章 for 规章,
數量 for 数量 on a 150 dpi fax), and a report may print them so. A label compared with the
registry's (``labels.normalize_label``) is compared in simplified characters.

The table holds only characters of the format's labels (``models.fields``) and their common
words, one traditional → simplified pair each (from the standard's conversion table); a
character outside it is left as read.
"""

from __future__ import annotations

_PAIRS = (
    "規规數数項项處处決决許许罰罚強强費费額额單单萬万請请況况組组織织業业構构會会務务總总計计"
    "開开轉转辦办結结區区這这屬属國国穩稳護护權权類类內内過过執执詢询無无關关沒没現现製制補补"
    "確确訪访舉举報报訴诉復复獲获繳缴納纳續续維维糾纠審审資资發发廢废條条係系與与於于為为"
    "議议門门範范營营責责讀读號号辭辞題题體体學学經经濟济衛卫違违對对產产勢势應应錄录證证據据"
    "況况狀状態态據据從从個个們们來来時时間间實实際际歲岁寫写幣币稅税價价處处後后裡里層层規规"
    "級级縣县鄉乡鎮镇區区廳厅處处單单務务員员師师醫医藥药農农銀银險险稱称級级")

SIMPLIFIED = str.maketrans({_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)})


def simplified(text: str) -> str:
    """``text`` with the traditional characters of ``_PAIRS`` as their simplified forms."""
    return text.translate(SIMPLIFIED)
