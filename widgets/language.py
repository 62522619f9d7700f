"""Chinese / English switch. Components rebuild themselves in the chosen language."""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w


class LanguageSwitch(w.ToggleButtons):
    """中文 / English toggle; ``on_change(callback)`` is called with 'zh' or 'en'."""

    def __init__(self, lang: str = "zh", **kw):
        super().__init__(options=[("中文", "zh"), ("English", "en")], value=lang, tooltips=["中文界面", "English"],
                         style={"button_width": "80px"}, **kw)
        self.add_class("wb-lang-switch")

    def on_change(self, callback: Callable[[str], None]) -> None:
        self.observe(lambda ch: callback(ch["new"]), names="value")
