"""The shared information platform's web pages (``/dashboard``, ``bot.dashboard.pages``)
and its analytics (``analytics_view``, ``charts``, ``report_cli``)."""
