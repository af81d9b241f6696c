"""The web chat channel: a page at /chat, its JSON API and its cookie sessions
(``channel.WebChat``)."""

CHANNEL = "web"  # the channel's name in every table and outbox row
