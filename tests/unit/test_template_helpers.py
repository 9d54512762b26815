"""The templates' gettext, url_for (kept per mount point) and hidden inputs, in the page's language."""

import pytest
from flask import render_template_string
from flask_babel import force_locale

from portal import create_app, templating
from portal.i18n import lazy_gettext


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('t')}/x.db"})


def render(app, source, language="sv", **context):
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(source, **context)


def test_strings_in_a_loop_are_translated_in_the_page_language(app):
    source = (
        '{% for n in [1, 2] %}{% set m = n %}[{{ _("Front page") }} '
        '{{ ngettext("%(num)d answer", "%(num)d answers", m) }}]{% endfor %}'
    )
    assert render(app, source, "sv") == "[Startsida 1 svar][Startsida 2 svar]"
    assert render(app, source, "fi") == "[Etusivu 1 vastaus][Etusivu 2 vastausta]"


def test_values_are_escaped_in_html_and_left_alone_in_text(app):
    name = "<b>Anna & Bo</b>"
    assert render(app, '{{ _("Client: %(name)s", name=name) }}', name=name) == (
        "Klient: &lt;b&gt;Anna &amp; Bo&lt;/b&gt;"
    )
    text = '{% autoescape false %}{{ _("Client: %(name)s", name=name) }}{% endautoescape %}'
    assert render(app, text, name=name) == "Klient: <b>Anna & Bo</b>"


def test_a_forced_language_wins_for_its_block_only(app):
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        before = render_template_string('{{ _("Front page") }}')
        with force_locale("fi"):
            forced = render_template_string('{{ _("Front page") }}')
            lazy = str(lazy_gettext("Front page"))
        after = render_template_string('{{ _("Front page") }}')
    assert (before, forced, lazy, after) == ("Startsida", "Etusivu", "Etusivu", "Startsida")


def test_a_lazy_label_outside_the_application_is_the_original(app):
    assert str(lazy_gettext("Front page")) == "Front page"


def test_kept_addresses_follow_their_values_and_the_mount_point(app):
    source = "{{ url_for('booking.confirm', type_key=kind, slot_id=slot) }}"
    first = render(app, source, kind="interview", slot=1)
    second = render(app, source, kind="interview", slot=2)
    assert first == "/appointments/book/interview/1"
    assert second == "/appointments/book/interview/2"
    with app.test_request_context(base_url="http://localhost/polku/"):
        mounted = render_template_string(source, kind="interview", slot=1)
    assert mounted == "/polku" + first


ROW = (
    '{% for entry in entries %}{% call kept_fragment("test row", entry) %}'
    "<a href=\"{{ url_for('questionnaire.review', response_id=entry[0]) }}\">{{ entry[1] }}</a> "
    '{{ ngettext("%(num)d answer", "%(num)d answers", entry[2]) }};{% endcall %}{% endfor %}'
)


def test_kept_rows_follow_their_values_the_language_and_the_mount_point(app):
    first = render(app, ROW, "fi", entries=[(1, "Anna <A>", 1), (2, "Bo", 2)])
    assert first == (
        '<a href="/staff/questionnaires/1">Anna &lt;A&gt;</a> 1 vastaus;'
        '<a href="/staff/questionnaires/2">Bo</a> 2 vastausta;'
    )
    # The same rows again are the same; a changed value is a different row, never the kept one.
    assert render(app, ROW, "fi", entries=[(1, "Anna <A>", 1), (2, "Bo", 2)]) == first
    assert (
        render(app, ROW, "fi", entries=[(2, "Bo", 3)])
        == '<a href="/staff/questionnaires/2">Bo</a> 3 vastausta;'
    )
    assert (
        render(app, ROW, "sv", entries=[(2, "Bo", 2)]) == '<a href="/staff/questionnaires/2">Bo</a> 2 svar;'
    )
    with app.test_request_context(base_url="http://localhost/polku/", headers={"Accept-Language": "fi"}):
        mounted = render_template_string(ROW, entries=[(2, "Bo", 2)])
    assert mounted == '<a href="/polku/staff/questionnaires/2">Bo</a> 2 vastausta;'


def test_a_kept_row_is_rendered_once(app):
    calls = []

    def counted(value):
        calls.append(value)
        return value

    source = (
        '{% for n in [7, 7, 8, 7] %}{% call kept_fragment("counted", (n,)) %}'
        "{{ counted(n) }}{% endcall %}{% endfor %}"
    )
    assert render(app, source, counted=counted) == "7787"
    assert render(app, source, counted=counted) == "7787"
    assert calls == [7, 8]


def test_rows_kept_together_render_again_only_the_row_that_changed(app):
    calls = []

    def counted(value):
        calls.append(value)
        return value

    source = (
        '{% call kept_fragment("counted rows", rows) %}{% for n in rows %}'
        '{% call kept_fragment("counted row", (n,)) %}{{ counted(n) }};{% endcall %}'
        "{% endfor %}{% endcall %}"
    )
    assert render(app, source, counted=counted, rows=[1, 2, 3]) == "1;2;3;"
    assert render(app, source, counted=counted, rows=[1, 2, 3]) == "1;2;3;"
    assert render(app, source, counted=counted, rows=[1, 5, 3]) == "1;5;3;"
    assert calls == [1, 2, 3, 5]


def test_what_is_kept_is_bounded_by_size(app, monkeypatch):
    monkeypatch.setattr(templating, "FRAGMENT_CHARACTERS_KEPT", 25)
    calls = []

    def counted(value):
        calls.append(value)
        return value * 10

    source = '{% call kept_fragment("sized", (n,)) %}{{ counted(n) }}{% endcall %}'
    render(app, source, counted=counted, n="a")  # 10 characters kept
    render(app, source, counted=counted, n="b")  # 20
    render(app, source, counted=counted, n="a")  # still kept
    render(app, source, counted=counted, n="c")  # 30 would be too many: forgotten, then kept
    render(app, source, counted=counted, n="a")  # forgotten with the rest
    assert calls == ["a", "b", "c", "a"]


def test_templates_see_every_global_of_the_app(tmp_path):
    """A template keeps a copy of the globals when it is loaded (portal.PortalEnvironment): every
    global must be set while the app is made, before the first page."""
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert not app.jinja_env.cache, "no template may be loaded while the app is made"
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    loaded = [template for template in app.jinja_env.cache.values() if template is not None]
    assert loaded
    for template in loaded:
        assert set(app.jinja_env.globals) <= set(template.globals), template.name


@pytest.mark.parametrize("value", ["28501", None, "", '"><script>alert(1)</script>&'])
def test_a_hidden_input_is_written_as_wtforms_writes_it(value):
    from wtforms import Form, HiddenField

    from portal.templating import hidden_input

    class Versioned(Form):
        answers_version = HiddenField()

    field = Versioned(data={"answers_version": value}).answers_version
    assert str(hidden_input(field)) == str(field())
    assert "<script>" not in hidden_input(field)


def test_the_error_summary_names_the_field_of_a_message_two_fields_share(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import InputRequired

    NUMBER = lazy_gettext("Enter a number.")

    class TwoQuestions(FlaskForm):
        class Meta:
            csrf = False

        how = StringField("Hur mår du?", validators=[InputRequired(message=NUMBER)])
        much = StringField("Antal timmar", validators=[InputRequired(message=NUMBER)])
        note = StringField("Anteckning", validators=[InputRequired(message=lazy_gettext("Write the note."))])

    source = '{% from "macros/forms.html" import error_summary %}{{ error_summary(form) }}'
    with app.test_request_context(method="POST", data={}, headers={"Accept-Language": "sv"}):
        form = TwoQuestions()
        assert not form.validate()
        html = render_template_string(source, form=form)
    assert '<a href="#how">Hur mår du? Skriv ett tal.</a>' in html
    assert '<a href="#much">Antal timmar: Skriv ett tal.</a>' in html
    assert '<a href="#note">Skriv anteckningen.</a>' in html
