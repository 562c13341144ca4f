"""ASR metrics and CTC greedy decoding helpers."""
import editdistance


def word_error_rate(hypotheses, references, use_cer=False):
    """Total edit distance over total reference words (characters if ``use_cer``).

    Returns ``float('inf')`` when the references hold no words at all but the
    hypotheses do, and 0.0 when both are empty.
    """
    if len(hypotheses) != len(references):
        raise ValueError(
            f"word_error_rate needs as many hypotheses as references: got "
            f"{len(hypotheses)} hypotheses and {len(references)} references")
    edits = 0
    words = 0
    for hyp, ref in zip(hypotheses, references):
        hyp_tokens = list(hyp) if use_cer else hyp.split()
        ref_tokens = list(ref) if use_cer else ref.split()
        edits += editdistance.eval(hyp_tokens, ref_tokens)
        words += len(ref_tokens)
    if words == 0:
        return 0.0 if edits == 0 else float("inf")
    return edits / words


def ctc_greedy_decode(log_probs_argmax_ids, blank_id):
    """Collapse repeated ids, then drop blanks: ``[1, 1, b, 1, 2, 2] -> [1, 1, 2]``.

    Takes a list or a 1-D tensor of per-frame argmax ids; returns a list of ints.
    """
    ids = log_probs_argmax_ids
    ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
    decoded = []
    previous = None
    for token in ids:
        if token != previous and token != blank_id:
            decoded.append(int(token))
        previous = token
    return decoded


def ids_to_text(ids, labels):
    """Join ``labels[i]`` for each id; an id outside the labels raises ValueError."""
    ids = [int(i) for i in (ids.tolist() if hasattr(ids, "tolist") else ids)]
    bad = [i for i in ids if not 0 <= i < len(labels)]
    if bad:
        raise ValueError(f"ids {bad} are outside the {len(labels)} labels")
    return "".join(labels[i] for i in ids)
