"""Pydantic data models and the field registry: the typed hand-offs of govreport."""

from models.extraction import (
    BBox,
    Check,
    CheckStatus,
    DocumentStatus,
    Extraction,
    ExtractionIssue,
    Field,
    FieldStatus,
    ReportMeta,
    Source,
    Suggestion,
    SuggestionKind,
)
from models.fields import FieldSpec, Layout, Table, TableLayouts, ValueType, all_keys, field_map, registry, spec_for
from models.relations import RULES, Relation, Severity, cross_relations, relations

__all__ = [
    "BBox", "Check", "CheckStatus", "DocumentStatus", "Extraction", "ExtractionIssue", "Field",
    "FieldStatus", "ReportMeta", "Source", "Suggestion", "SuggestionKind", "FieldSpec", "Layout", "TableLayouts",
    "Table", "ValueType", "all_keys", "field_map", "registry", "spec_for", "RULES", "Relation",
    "Severity", "cross_relations", "relations",
]
