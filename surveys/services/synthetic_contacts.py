"""Synthetic residents' numbers added to a campaign (the simulator's and the planner's contacts): who
they are is drawn by `surveys.synthetic_population`; each gets a made-up number not yet taken."""

import random
import uuid
from collections.abc import Callable

from django.db import transaction

from surveys.models import Campaign, Contact, ContactNumber, DoNotCall
from surveys.phone_numbers import phone_encrypt, phone_hash
from surveys.services.contact_store import HASH_LOOKUP_CHUNK
from surveys.synthetic_population import ListedFacts, listed_facts_draw


def synthetic_contacts_add(*, campaign: Campaign, count: int, seed: int, people: str = "") -> int:
    """Add `count` synthetic residents' numbers to the campaign, drawn like the population: age
    from AGE_BRACKETS, a postal code of a district by DISTRICTS (numbers on the registry left out).

    `people` and the seed decide who they are (numbers, pseudonyms, facts); by default `people` is
    the campaign's short name, as a pseudonym is unique in a database. Two set-ups of a survey
    compared on the same seed, each in a database of its own, name the same `people` to call the
    same residents and be measured against the same truth (benchmarks/bench_strategies.py)."""
    year = campaign.start_date.year
    rng = random.Random(f"contacts:{seed}:{people or campaign.slug}")  # noqa: S311 - a simulation, not a secret

    def drawn(each_rng: random.Random, _index: int) -> ListedFacts:
        return listed_facts_draw(each_rng, year=year)

    return _synthetic_contacts_create(campaign=campaign, count=count, rng=rng, facts_of=drawn)


def synthetic_contacts_add_like(*, campaign: Campaign, facts: list[ListedFacts], seed: int) -> int:
    """Add one synthetic resident's number to the campaign for each of `facts` (another list's
    contacts, say), with their birth year, postal code and language but a fresh pseudonym and a
    made-up number (numbers on the registry left out)."""
    rng = random.Random(f"contacts-like:{seed}:{campaign.slug}")  # noqa: S311 - a simulation, not a secret
    return _synthetic_contacts_create(
        campaign=campaign, count=len(facts), rng=rng, facts_of=lambda _rng, index: facts[index]
    )


@transaction.atomic
def _synthetic_contacts_create(
    *, campaign: Campaign, count: int, rng: random.Random, facts_of: Callable[[random.Random, int], ListedFacts]
) -> int:
    """`count` contacts, the i-th with `facts_of(rng, i)`, each with a made-up number not yet taken:
    not on the registry, and not one any campaign lists (a synthetic resident who opts out in a
    planning run reaches every contact with their number)."""
    taken = set(ContactNumber.objects.filter(campaign=campaign).values_list("phone_hash", flat=True))
    blocked = set(DoNotCall.objects.values_list("phone_hash", flat=True))
    contacts, numbers = [], []
    wanted = list(range(count))  # the contacts still to make, by their index for `facts_of`
    while wanted:
        drawn = []
        for index in wanted:
            number_hash = None
            while number_hash is None or number_hash in taken or number_hash in blocked:
                number = f"+35850{rng.randrange(10**7):07d}"
                pseudonym = uuid.UUID(int=rng.getrandbits(128), version=4)
                listed = facts_of(rng, index)
                number_hash = phone_hash(number)
            taken.add(number_hash)
            contact = Contact(
                campaign=campaign,
                pseudonym=pseudonym,
                birth_year=listed.birth_year,
                postal_code=listed.postal_code,
                language=listed.language,
            )
            drawn.append((index, contact, phone_encrypt(number), number_hash))
        listed_elsewhere = _listed_hashes([number_hash for *_drawn, number_hash in drawn])
        wanted = [index for index, _contact, _token, number_hash in drawn if number_hash in listed_elsewhere]
        for _index, contact, token, number_hash in drawn:
            if number_hash not in listed_elsewhere:
                contacts.append(contact)
                numbers.append((token, number_hash))
    Contact.objects.bulk_create(contacts, batch_size=1000)
    ContactNumber.objects.bulk_create(
        (
            ContactNumber(contact=contact, campaign=campaign, position=1, phone_encrypted=token, phone_hash=digest)
            for contact, (token, digest) in zip(contacts, numbers, strict=True)
        ),
        batch_size=1000,
    )
    return len(contacts)


def _listed_hashes(hashes: list[str]) -> set[str]:
    """Which of these number hashes some campaign lists."""
    listed: set[str] = set()
    for start in range(0, len(hashes), HASH_LOOKUP_CHUNK):
        chunk = hashes[start : start + HASH_LOOKUP_CHUNK]
        listed.update(ContactNumber.objects.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True))
    return listed
