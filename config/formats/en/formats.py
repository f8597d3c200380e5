"""The two ways a person reads a date in Cairn: templates write
`|date:"DATE_FORMAT"` or `|date:"DATETIME_FORMAT"`, never a format of their
own. Machine formats (ISO 8601 in datetime= attributes and JSON) are not these."""

DATE_FORMAT = "j M Y"  # 5 Dec 2026
DATETIME_FORMAT = "j M Y H:i"  # 5 Dec 2026 19:04
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
