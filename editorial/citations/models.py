"""The shared citation library."""
import json
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from editorial.core.model_base import Base, utcnow


class Citation(Base):
    """One source. `data` holds the full structured record (editorial.citations.CitationData);
    the other columns are copies of it for searching, duplicate checks and display."""

    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(32), default="article-journal")
    title: Mapped[str] = mapped_column(Text)
    container_title: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    # lowercased, without any https://doi.org/ or doi: prefix
    doi: Mapped[str | None] = mapped_column(String(300), unique=True)
    pmid: Mapped[str | None] = mapped_column(String(8), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    # casefolded title + year, for duplicates that have neither DOI nor PMID
    fingerprint: Mapped[str] = mapped_column(String(600), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    formatted: Mapped[str] = mapped_column(Text, default="")
    formatted_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)
    retracted_at: Mapped[date | None] = mapped_column(Date)
    retraction_note: Mapped[str | None] = mapped_column(Text)
    # JSON list of what an imported record lacks ("Year is required."); NULL when complete
    missing: Mapped[str | None] = mapped_column(Text)

    @property
    def missing_parts(self) -> list[str]:
        return json.loads(self.missing) if self.missing else []
