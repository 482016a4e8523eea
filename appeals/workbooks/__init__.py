"""Write: the work-queue workbook (summary.xlsx) and the scrub workbook."""
