"""Write the small NLP sample sets under tests/data/nlp/ (deterministic, seed 0).

Sentences come from templates written for this project; person names are common
given names and surnames (public-domain US Census Bureau / Social Security name
lists), places are real city and country names (geographic facts), organisations
are invented. Everything written here is released under CC0 1.0.

    python scripts/make_tiny_nlp_data.py [--out tests/data/nlp]
"""

import argparse
import os
import random

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson"]
CITIES = [["Paris"], ["London"], ["Berlin"], ["Madrid"], ["Rome"], ["Tokyo"], ["Chicago"], ["Toronto"], ["Boston"],
          ["New", "York"], ["San", "Francisco"], ["Los", "Angeles"], ["Buenos", "Aires"], ["Cape", "Town"]]
COUNTRIES = [["France"], ["Germany"], ["Spain"], ["Italy"], ["Japan"], ["Canada"], ["Brazil"], ["Kenya"],
             ["India"], ["Mexico"], ["New", "Zealand"], ["South", "Africa"]]
ORGS = [["Acme", "Corporation"], ["Globex"], ["Initech"], ["Northwind", "Traders"], ["Bluebird", "Bank"],
        ["Riverside", "University"], ["Summit", "Airlines"], ["Harbor", "Motors"], ["Pinecrest", "Labs"],
        ["Orion", "Media"]]
EVENTS = [["Winter", "Games"], ["Harvest", "Festival"], ["Open", "Championship"], ["Science", "Fair"]]

NER_TEMPLATES = [
    "{PER} lives in {LOC} .", "{PER} works for {ORG} in {LOC} .", "{ORG} opened an office in {LOC} .",
    "Yesterday {PER} flew from {LOC} to {LOC} .", "{PER} and {PER} met at the {MISC} .",
    "The {MISC} will be held in {LOC} next year .", "{ORG} hired {PER} as its new chief executive .",
    "Shares of {ORG} rose sharply after the report .", "{PER} said the team from {LOC} played well .",
    "According to {ORG} , prices in {LOC} fell again .", "{PER} visited {LOC} with friends from {ORG} .",
    "Fans travelled from {LOC} for the {MISC} .", "the weather in {LOC} was cold and wet .",
    "{PER} won the {MISC} for the second time .", "Analysts at {ORG} expect growth in {LOC} .",
]


def _entity(kind, rng):
    if kind == "PER":
        return [rng.choice(FIRST), rng.choice(LAST)] if rng.random() < 0.7 else [rng.choice(FIRST)]
    if kind == "LOC":
        return list(rng.choice(CITIES if rng.random() < 0.6 else COUNTRIES))
    if kind == "ORG":
        return list(rng.choice(ORGS))
    return list(rng.choice(EVENTS))


def ner_sentence(rng):
    """(words, IOB labels) of one sentence."""
    words, labels = [], []
    for piece in rng.choice(NER_TEMPLATES).split():
        if piece.startswith("{") and piece.endswith("}"):
            kind = piece[1:-1]
            entity = _entity(kind, rng)
            words += entity
            labels += [f"B-{kind}"] + [f"I-{kind}"] * (len(entity) - 1)
        else:
            words.append(piece)
            labels.append("O")
    return words, labels


def write_conll(path, sentences):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("-DOCSTART-\tO\n\n")
        for words, labels in sentences:
            handle.write("".join(f"{w}\t{l}\n" for w, l in zip(words, labels)) + "\n")


SENTIMENT = {
    "positive": ["I loved the {x} , it was wonderful .", "What a great {x} , highly recommended .",
                 "The {x} was excellent and the staff were kind .", "Best {x} I have had in years ."],
    "negative": ["I hated the {x} , it was awful .", "What a terrible {x} , never again .",
                 "The {x} was poor and the staff were rude .", "Worst {x} I have had in years ."],
}
THINGS = ["movie", "meal", "hotel", "concert", "book", "service", "trip", "game", "show", "coffee"]

INTENTS = {
    "book_flight": ["book a flight from {from_city} to {to_city}", "i need a flight to {to_city} from {from_city}",
                    "find flights from {from_city} to {to_city} on {date}"],
    "get_weather": ["what is the weather in {city} on {date}", "will it rain in {city} {date}",
                    "weather forecast for {city}"],
    "play_music": ["play some {genre} music", "put on {genre} songs by {artist}", "play {artist}"],
}
SLOT_VALUES = {
    "from_city": [c for c in CITIES], "to_city": [c for c in CITIES], "city": [c for c in CITIES],
    "date": [["today"], ["tomorrow"], ["monday"], ["next", "week"], ["friday", "morning"]],
    "genre": [["jazz"], ["rock"], ["classical"], ["hip", "hop"], ["folk"]],
    "artist": [["the", "beatles"], ["miles", "davis"], ["bach"], ["queen"], ["nina", "simone"]],
}


def intent_example(rng):
    intent = rng.choice(sorted(INTENTS))
    words, slots = [], []
    for piece in rng.choice(INTENTS[intent]).split():
        if piece.startswith("{"):
            slot = piece[1:-1]
            value = [w.lower() for w in rng.choice(SLOT_VALUES[slot])]
            words += value
            slots += [f"B-{slot}"] + [f"I-{slot}"] * (len(value) - 1)
        else:
            words.append(piece)
            slots.append("O")
    return intent, words, slots


def write_joint_intent_slot(folder, rng, counts):
    os.makedirs(folder, exist_ok=True)
    intents = sorted(INTENTS)
    slot_names = ["O"] + sorted({f"{p}-{s}" for s in SLOT_VALUES for p in "BI"})
    with open(os.path.join(folder, "dict.intents.csv"), "w") as handle:
        handle.write("".join(i + "\n" for i in intents))
    with open(os.path.join(folder, "dict.slots.csv"), "w") as handle:
        handle.write("".join(s + "\n" for s in slot_names))
    for split, count in counts.items():
        with open(os.path.join(folder, f"{split}.tsv"), "w") as queries, \
                open(os.path.join(folder, f"{split}_slots.tsv"), "w") as slots_file:
            queries.write("sentence\tlabel\n")
            for _ in range(count):
                intent, words, slots = intent_example(rng)
                queries.write(f"{' '.join(words)}\t{intents.index(intent)}\n")
                slots_file.write(" ".join(str(slot_names.index(s)) for s in slots) + "\n")


def punctuation_example(words):
    """Words without punctuation, lower-cased, and the 2-letter labels (punctuation after, U/O)."""
    out_words, labels = [], []
    for word in words:
        if word in {".", ",", "?"}:
            if labels:
                labels[-1] = word + labels[-1][1]
            continue
        out_words.append(word.lower())
        labels.append("O" + ("U" if word[0].isupper() else "O"))
    return out_words, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join("tests", "data", "nlp"))
    args = parser.parse_args()
    rng = random.Random(0)
    ner = os.path.join(args.out, "ner")
    os.makedirs(ner, exist_ok=True)
    write_conll(os.path.join(ner, "train.txt"), [ner_sentence(rng) for _ in range(64)])
    write_conll(os.path.join(ner, "dev.txt"), [ner_sentence(rng) for _ in range(24)])

    sc = os.path.join(args.out, "sentence_classification")
    os.makedirs(sc, exist_ok=True)
    labels = sorted(SENTIMENT)
    for split, count in {"train": 48, "dev": 16}.items():
        with open(os.path.join(sc, f"{split}.tsv"), "w") as handle:
            handle.write("sentence\tlabel\n")
            for _ in range(count):
                label = rng.choice(labels)
                handle.write(rng.choice(SENTIMENT[label]).format(x=rng.choice(THINGS)) + f"\t{labels.index(label)}\n")

    write_joint_intent_slot(os.path.join(args.out, "joint_intent_slot"), rng, {"train": 48, "test": 16})

    punct = os.path.join(args.out, "punctuation")
    os.makedirs(punct, exist_ok=True)
    for split, count in {"train": 48, "dev": 16}.items():
        with open(os.path.join(punct, f"text_{split}.txt"), "w") as text, \
                open(os.path.join(punct, f"labels_{split}.txt"), "w") as labels_file:
            for _ in range(count):
                words, labels_ = punctuation_example(ner_sentence(rng)[0])
                text.write(" ".join(words) + "\n")
                labels_file.write(" ".join(labels_) + "\n")

    pretrain = os.path.join(args.out, "pretraining")
    os.makedirs(pretrain, exist_ok=True)
    with open(os.path.join(pretrain, "train.txt"), "w") as handle:
        for _ in range(24):
            handle.write("".join(" ".join(ner_sentence(rng)[0]) + "\n" for _ in range(rng.randint(3, 6))) + "\n")


if __name__ == "__main__":
    main()
