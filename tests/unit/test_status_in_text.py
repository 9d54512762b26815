"""A status written into a statement's text: the code's own names only, quoted, never a parameter."""

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from portal.models import Pathway, PathwayStatus
from portal.models.base import in_text


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_a_status_is_part_of_the_statement_text(dialect):
    compiled = (
        select(Pathway.id).where(Pathway.status == in_text(PathwayStatus.ACTIVE)).compile(dialect=dialect)
    )
    assert "pathway.status = 'active'" in str(compiled)
    assert compiled.params == {}


@pytest.mark.parametrize("value", ["active' OR '1'='1", "", "two words", "booked;"])
def test_anything_but_a_status_name_is_refused(value):
    with pytest.raises(ValueError, match="is not a status name"):
        in_text(value)
