"""The shared information platform's web pages (``/dashboard``, ``bot.web.dashboard.pages``)
and its analytics (``analytics_view``, ``charts``, ``report_cli``)."""
