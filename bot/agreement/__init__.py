"""The 快处快赔 agreement (协议书) as a printable HTML page and as a PDF."""
