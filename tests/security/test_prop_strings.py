"""Text that reaches an element's props is set as a value, never spliced into a props string,
where a quote would end the value and start a prop of its own (an onclick, say)."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from ui.widgets import Column, data_table

BREAKOUT = 'Claims" onclick="window.__xss(1)" data-x="'


async def test_a_quote_in_a_table_label_stays_in_the_label(user: User) -> None:
    regions: list[ui.element] = []

    @ui.page("/prop-strings")
    def page() -> None:
        data_table([Column("name", "Name")], [{"id": 1, "name": "x"}], marker="t", label=BREAKOUT)
        regions.extend(
            element
            for element in ui.context.client.layout.descendants()
            if element.props.get("role") == "region"
        )

    await user.open("/prop-strings")
    (region,) = regions
    assert region.props["aria-label"] == BREAKOUT
    assert "onclick" not in region.props
