"""The copied design-system files name no source map: the manifest storage would demand the map."""

from __future__ import annotations

from preceptorship.management.commands.build_frontend import without_source_map


def test_css_source_map_comment_is_dropped():
    css = ".a{color:red}\n/*# sourceMappingURL=nhsuk-frontend.min.css.map */\n"
    assert without_source_map(css) == ".a{color:red}\n"


def test_js_source_map_comment_is_dropped():
    js = "export{initAll};//# sourceMappingURL=nhsuk-frontend.min.js.map\n"
    assert without_source_map(js) == "export{initAll};\n"


def test_text_without_a_source_map_is_kept():
    assert without_source_map(".a{background:url(/static/x.svg)}") == ".a{background:url(/static/x.svg)}\n"
