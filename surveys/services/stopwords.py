"""Words too common to be a theme of the open answers, in Finnish, Swedish and English (lower case).

Compact lists: pronouns, conjunctions, particles, auxiliary verbs and the everyday fillers of a
spoken answer ("no", "niinku", "ju"), plus generic survey words ("lisää", "enemmän", "mer") that
precede the actual theme.
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FINNISH = _words(
    """
    aina ainakin alla ehkä ei eikä eivät emme en enemmän ennen entä et ette että he heidän heille
    heitä hän hänen hänet häntä ihan ilman itse ja jo johon joiden joihin joilla joille joissa
    joista joita joka jokin joksi jolla jolle jolloin jolta jompikumpi jona jonka jopa jos jossa
    josta jota jotain joten jotka jotta ja jälkeen kaikki kanssa kautta kerran keskellä kenen
    kenet ketkä ketä koska koko kuin kuinka kuka kun kyllä lisää liian lähes me meidän meille
    meitä melko mihin mikä miksi milloin millä minkä minua minulla minulle minun minusta minut
    minä missä mistä mitä miten mukaan mutta muu muut muuta myös myöskin ne niin niiden niille
    niillä niinku niitä niistä nyt no noin nuo nämä näiden näitä näkyy olen olemme olet olette
    oli olisi olisivat olit olivat olla olleet ollut on ongelma ovat paljon pitäisi pitää se sekä
    sen siellä siihen siinä siis siitä sillä sinne sinua sinulla sinulle sinun sinut sinä sitten
    sitä te tai taas tämä tämän tässä tästä tätä teidän teille teitä tuo tuon tuota tällä tänne
    vaan vai vain vaikka vielä voi voisi yli ylipäätään yms hyvä hyvin kaupunki kaupungin
    kaupungissa kaupunkiin asia asiat asioita enää kai kans mm ym esim esimerkiksi
    """
)

SWEDISH = _words(
    """
    alla allt alltid andra att av bara bli blir borde de dem den denna deras dess det detta dig din
    dina ditt du där efter eftersom ej eller en er era ert ett fler från för ganska genom ha hade
    han hans har hela hen henne hennes hon honom hur här i icke ingen inom inte jag ju kan kanske
    kunde man med mellan men mer mig min mina mitt mot mycket många ni nu när någon något några
    och om oss på samma sedan sig sin sina sitt själv ska skulle som så till under upp ut utan
    vad var vara varför varit vars vem vi vid vilka vilken vill vår våra vårt än är över bra stad
    staden stadens sak saker typ
    """
)

ENGLISH = _words(
    """
    a about all also am an and any are as at be been but by can could do does for from had has
    have he her his how i if in into is it its just me more my no not of on or our out she should
    so some than that the their them then there these they this to too up us very was we were
    what when which who why will with would you your town city
    """
)

STOP_WORDS = FINNISH | SWEDISH | ENGLISH
