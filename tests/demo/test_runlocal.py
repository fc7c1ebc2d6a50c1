"""``manage.py runlocal``: what it gives the processes it starts."""

from __future__ import annotations

from demo.management.commands.runlocal import child_environment


def test_links_follow_the_port_runlocal_serves() -> None:
    env = child_environment(host="127.0.0.1", port=18765, environ={"PATH": "/bin"})
    assert env["SITE_URL"] == "http://127.0.0.1:18765"
    assert env["PATH"] == "/bin"


def test_a_server_on_every_interface_is_linked_as_localhost() -> None:
    env = child_environment(host="0.0.0.0", port=8001, environ={})  # noqa: S104
    assert env["SITE_URL"] == "http://localhost:8001"


def test_a_site_url_that_is_set_wins_over_the_port() -> None:
    given = {"SITE_URL": "https://mentoring.example.com"}
    env = child_environment(host="127.0.0.1", port=18765, environ=given)
    assert env["SITE_URL"] == "https://mentoring.example.com"
