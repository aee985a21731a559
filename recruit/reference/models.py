from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class Named(SQLModel):
    """A code with a name in each of the three languages."""

    code: str = Field(primary_key=True, max_length=40)
    name_kk: str = Field(max_length=300)
    name_ru: str = Field(max_length=300)
    name_en: str = Field(max_length=300)

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en


class Region(Named, table=True):
    __tablename__ = "region"

    code: str = Field(primary_key=True, max_length=16)
    kind: str = Field(default="region", max_length=10)
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class PositionCategory(Named, table=True):
    __tablename__ = "position_category"

    corps: str = Field(default="B", max_length=2)


class StateBody(Named, table=True):
    __tablename__ = "state_body"

    kind: str = Field(default="central", max_length=20)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=16)
