"""The channel-neutral message model every layer speaks: ``Inbound`` (what arrived),
``Outbound`` (what to send, as stored in the outbox), ``Choice`` (a button) and the typed
codecs of button values (``messages.choices``). Standard library only."""
