"""Write: letters and worksheets as DOCX from Jinja2 templates (context, templating, WordML)."""
