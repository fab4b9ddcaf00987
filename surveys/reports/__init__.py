"""Survey results for people: the results page's sections, the PDF and XLSX reports, the report
files generated in the background and the summary published on the residents' page. Everything
here renders a `surveys.services.results_contract.CampaignResults`; the figures come from there."""
