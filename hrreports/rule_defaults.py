"""The default early-support rules: the municipal example model (5 spells or 20 days, 10 spells or
30 days in 12 months -> early-support discussion / occupational health) and the statutory 30-60-90
checkpoints of sick leave (REFERENCE: occupational health by day 30, Kela by day 60, physician's
statement by day 90). Plain data, shared by the data migrations and `rule_defaults_ensure`; the
Finnish `name` identifies a default rule. Each guidance ends by saying which days are counted
(`DAYS_COUNTED`)."""

SICK = ["sick_leave"]
MONTHS = 12

# What the rules' days are (hrreports.spells: `person_days`), said at the end of every default rule's guidance.
DAYS_COUNTED = {
    "fi": "Päiviksi lasketaan sairauspoissaolon kalenteripäivät, myös sairausloman sisään jäävät viikonloput ja "
    "arkipyhät.",
    "sv": "Som dagar räknas sjukfrånvarons kalenderdagar, också veckoslut och helgdagar inom en sjukledighet.",
    "en": "The days counted are the calendar days of sick leave, including the weekends and public holidays "
    "within a sick leave.",
}

DEFAULT_RULES = (
    {
        "order": 10,
        "name": "Varhaisen tuen keskustelu (5 jaksoa tai 20 päivää / 12 kk)",
        "name_sv": "Samtal om tidigt stöd (5 perioder eller 20 dagar / 12 mån)",
        "name_en": "Early-support discussion (5 spells or 20 days / 12 months)",
        "kind": "window",
        "spells_at_least": 5,
        "days_at_least": 20,
        "guidance_fi": (
            "Sovi työntekijän kanssa varhaisen tuen keskustelu kahden viikon kuluessa. Käykää läpi työ, "
            "työolot ja jaksaminen, kirjatkaa sovitut tukitoimet ja seurannan ajankohta."
        ),
        "guidance_sv": (
            "Kom överens med arbetstagaren om ett samtal om tidigt stöd inom två veckor. Gå igenom arbetet, "
            "arbetsförhållandena och orken, anteckna de stödåtgärder och den uppföljning ni kommer överens om."
        ),
        "guidance_en": (
            "Agree on an early-support discussion with the employee within two weeks. Go through the work, "
            "working conditions and coping, and record the support agreed and when to follow up."
        ),
    },
    {
        "order": 20,
        "name": "Ilmoitus työterveyshuoltoon (10 jaksoa tai 30 päivää / 12 kk)",
        "name_sv": "Anmälan till företagshälsovården (10 perioder eller 30 dagar / 12 mån)",
        "name_en": "Notify occupational health (10 spells or 30 days / 12 months)",
        "kind": "window",
        "spells_at_least": 10,
        "days_at_least": 30,
        "guidance_fi": (
            "Ilmoita työterveyshuoltoon ja sovi työterveysneuvottelu (työntekijä, esihenkilö, työterveys). "
            "Selvittäkää työkyky ja mahdolliset työjärjestelyt."
        ),
        "guidance_sv": (
            "Meddela företagshälsovården och boka en företagshälsoförhandling (arbetstagare, chef, "
            "företagshälsovård). Utred arbetsförmågan och möjliga arrangemang i arbetet."
        ),
        "guidance_en": (
            "Notify occupational health and arrange a three-party meeting (employee, supervisor, occupational "
            "health). Assess work ability and possible adjustments to the work."
        ),
    },
    {
        "order": 30,
        "name": "Päivä 30: ilmoitus työterveyshuoltoon",
        "name_sv": "Dag 30: anmälan till företagshälsovården",
        "name_en": "Day 30: notify occupational health",
        "kind": "checkpoint",
        "days_at_least": 30,
        "guidance_fi": "Sairauspoissaoloja on kertynyt 30 päivää: ilmoita työterveyshuoltoon viimeistään nyt.",
        "guidance_sv": "Sjukfrånvaron har nått 30 dagar: meddela företagshälsovården senast nu.",
        "guidance_en": "Sick leave has reached 30 days: notify occupational health by now at the latest.",
    },
    {
        "order": 40,
        "name": "Päivä 60: Kelan sairauspäivärahan hakuaika",
        "name_sv": "Dag 60: ansökningstiden för FPA:s sjukdagpenning",
        "name_en": "Day 60: Kela sickness allowance application deadline",
        "kind": "checkpoint",
        "days_at_least": 60,
        "guidance_fi": (
            "Sairauspoissaoloja on kertynyt 60 päivää: Kelan sairauspäiväraha on haettava kahden kuukauden "
            "kuluessa. Varmista, että hakemus on tehty, ja tue työhön paluun suunnittelua."
        ),
        "guidance_sv": (
            "Sjukfrånvaron har nått 60 dagar: FPA:s sjukdagpenning ska sökas inom två månader. Se till att "
            "ansökan är gjord och stöd planeringen av återgången till arbetet."
        ),
        "guidance_en": (
            "Sick leave has reached 60 days: the Kela sickness allowance must be applied for within two "
            "months. Make sure the application is made and support planning the return to work."
        ),
    },
    {
        "order": 50,
        "name": "Päivä 90: työterveyslääkärin lausunto",
        "name_sv": "Dag 90: företagsläkarens utlåtande",
        "name_en": "Day 90: occupational physician's statement",
        "kind": "checkpoint",
        "days_at_least": 90,
        "guidance_fi": (
            "Sairauspoissaoloja on kertynyt 90 päivää: Kela tarvitsee työterveyslääkärin lausunnon jäljellä "
            "olevasta työkyvystä. Sovi työterveysneuvottelu ja työhön paluun tuki."
        ),
        "guidance_sv": (
            "Sjukfrånvaron har nått 90 dagar: FPA behöver företagsläkarens utlåtande om återstående "
            "arbetsförmåga. Boka en företagshälsoförhandling och stöd för återgången till arbetet."
        ),
        "guidance_en": (
            "Sick leave has reached 90 days: Kela needs an occupational physician's statement on the "
            "remaining work ability. Arrange a three-party meeting and support for the return to work."
        ),
    },
)

DEFAULT_RULES = tuple(
    rule | {f"guidance_{language}": f"{rule[f'guidance_{language}']} {days}" for language, days in DAYS_COUNTED.items()}
    for rule in DEFAULT_RULES
)
