"""Publishing: frozen versions, print-quality PDFs, public pages and endorsements."""
