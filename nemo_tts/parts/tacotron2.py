"""Tacotron 2 networks in plain PyTorch (Shen et al. 2018), with ``n_frames_per_step`` frames per decoder step.

Layouts: encoder memory ``[B, T_in, E]``, mels ``[B, n_mel, T]``, gate logits ``[B, T]`` (one per
frame), alignments ``[B, steps, T_in]`` with ``steps = ceil(T / n_frames_per_step)``.
"""
import torch
from torch import nn
from torch.nn import functional as F

from .layers import ConvBNStack, conv1d, lengths_to_mask, linear


def reverse_within_lengths(x, lengths):
    """Reverse each sequence of ``x [B, T, D]`` inside its length, padding left in place."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    index = torch.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    return x.gather(1, index[:, :, None].expand_as(x))


class Encoder(nn.Module):
    """Convolutions then a bidirectional LSTM; padded positions of the output are 0.

    The backward direction runs on each sequence reversed within its length (no packing, so
    no lengths are read on the host).
    """

    def __init__(self, n_convolutions, embedding_dim, kernel_size, p_dropout=0.5):
        super().__init__()
        if embedding_dim % 2:
            raise ValueError(f"encoder_embedding_dim must be even (two LSTM directions), got {embedding_dim}")
        self.convolutions = ConvBNStack([embedding_dim] * (n_convolutions + 1), kernel_size, "relu", p_dropout)
        self.forward_lstm = nn.LSTM(embedding_dim, embedding_dim // 2, batch_first=True)
        self.backward_lstm = nn.LSTM(embedding_dim, embedding_dim // 2, batch_first=True)

    def forward(self, embedded, lengths):
        """``embedded [B, E, T]`` → ``[B, T, E]``."""
        valid = lengths_to_mask(lengths, embedded.shape[2])
        x = self.convolutions(embedded, valid[:, None, :].to(embedded.dtype)).transpose(1, 2)
        ahead, _ = self.forward_lstm(x)
        behind, _ = self.backward_lstm(reverse_within_lengths(x, lengths))
        out = torch.cat([ahead, reverse_within_lengths(behind, lengths)], dim=2)
        return out.masked_fill(~valid[:, :, None], 0.0)


class Prenet(nn.Module):
    """Two ReLU layers with dropout that stays on at inference (it is the decoder's only noise)."""

    def __init__(self, in_dim, sizes, p_dropout):
        super().__init__()
        dims = [in_dim] + list(sizes)
        self.layers = nn.ModuleList([linear(a, b, bias=False) for a, b in zip(dims[:-1], dims[1:])])
        self.p_dropout = p_dropout

    def forward(self, x):
        for layer in self.layers:
            x = F.dropout(torch.relu(layer(x)), p=self.p_dropout, training=True)
        return x


class LocationSensitiveAttention(nn.Module):
    """Additive attention over the memory with features of the previous and cumulative weights."""

    def __init__(self, query_dim, memory_dim, attention_dim, n_filters, kernel_size):
        super().__init__()
        self.query_layer = linear(query_dim, attention_dim, bias=False, gain="tanh")
        self.memory_layer = linear(memory_dim, attention_dim, bias=False, gain="tanh")
        self.v = linear(attention_dim, 1, bias=False)
        self.location_conv = conv1d(2, n_filters, kernel_size, bias=False)
        self.location_dense = linear(n_filters, attention_dim, bias=False, gain="tanh")

    def forward(self, query, memory, processed_memory, weights_cat, pad_mask):
        """Returns ``context [B, E]`` and ``weights [B, T_in]``."""
        location = self.location_dense(self.location_conv(weights_cat).transpose(1, 2))
        energies = self.v(torch.tanh(self.query_layer(query)[:, None, :] + location + processed_memory))
        energies = energies.squeeze(2).masked_fill(pad_mask, float("-inf"))
        weights = torch.softmax(energies, dim=1)
        return torch.bmm(weights[:, None, :], memory).squeeze(1), weights


class Decoder(nn.Module):
    """Autoregressive attention decoder emitting ``n_frames_per_step`` mel frames and gate logits per step.

    The prenet reads the last frame of the previous step (zeros at the start). With
    ``attention_end_window`` k > 0, inference lets an utterance stop only while its attention peak is
    on one of its last k symbols (a gate firing in mid-sentence is ignored).
    """

    def __init__(self, n_mel_channels, n_frames_per_step, encoder_embedding_dim, attention_dim,
                 attention_location_n_filters, attention_location_kernel_size, attention_rnn_dim, decoder_rnn_dim,
                 prenet_dim, prenet_p_dropout, p_attention_dropout, p_decoder_dropout, gate_threshold,
                 max_decoder_steps, attention_end_window=0):
        super().__init__()
        self.attention_end_window = attention_end_window
        self.n_mel_channels = n_mel_channels
        self.n_frames_per_step = n_frames_per_step
        self.gate_threshold = gate_threshold
        self.max_decoder_steps = max_decoder_steps
        self.prenet = Prenet(n_mel_channels, [prenet_dim, prenet_dim], prenet_p_dropout)
        self.attention_rnn = nn.LSTMCell(prenet_dim + encoder_embedding_dim, attention_rnn_dim)
        self.attention_layer = LocationSensitiveAttention(attention_rnn_dim, encoder_embedding_dim, attention_dim,
                                                          attention_location_n_filters,
                                                          attention_location_kernel_size)
        self.decoder_rnn = nn.LSTMCell(attention_rnn_dim + encoder_embedding_dim, decoder_rnn_dim)
        self.linear_projection = linear(decoder_rnn_dim + encoder_embedding_dim, n_mel_channels * n_frames_per_step)
        self.gate_layer = linear(decoder_rnn_dim + encoder_embedding_dim, n_frames_per_step, gain="sigmoid")
        self.attention_dropout = nn.Dropout(p_attention_dropout)
        self.decoder_dropout = nn.Dropout(p_decoder_dropout)

    def _initial_state(self, memory):
        """Zero states; the previous attention starts on the first symbol, so the location features
        point the first step at the start of the text."""
        batch, steps, _ = memory.shape
        zeros = memory.new_zeros
        start = zeros(batch, steps)
        start[:, 0] = 1.0
        return {
            "attention_h": zeros(batch, self.attention_rnn.hidden_size),
            "attention_c": zeros(batch, self.attention_rnn.hidden_size),
            "decoder_h": zeros(batch, self.decoder_rnn.hidden_size),
            "decoder_c": zeros(batch, self.decoder_rnn.hidden_size),
            "weights": start,
            "weights_cum": start.clone(),
            "context": zeros(batch, memory.shape[2]),
        }

    def _step(self, prenet_out, state, memory, processed_memory, pad_mask):
        """One decoder step; updates ``state`` and returns frames ``[B, r * n_mel]``, gate ``[B, r]``, weights."""
        h, c = self.attention_rnn(torch.cat([prenet_out, state["context"]], dim=1),
                                  (state["attention_h"], state["attention_c"]))
        state["attention_h"], state["attention_c"] = self.attention_dropout(h), c
        weights_cat = torch.stack([state["weights"], state["weights_cum"]], dim=1)
        context, weights = self.attention_layer(state["attention_h"], memory, processed_memory, weights_cat, pad_mask)
        state["context"], state["weights"] = context, weights
        state["weights_cum"] = state["weights_cum"] + weights
        h, c = self.decoder_rnn(torch.cat([state["attention_h"], context], dim=1),
                                (state["decoder_h"], state["decoder_c"]))
        state["decoder_h"], state["decoder_c"] = self.decoder_dropout(h), c
        hidden_context = torch.cat([state["decoder_h"], context], dim=1)
        return self.linear_projection(hidden_context), self.gate_layer(hidden_context), weights

    def _to_frames(self, frames, gates, weights):
        """Stacked step outputs → ``mel [B, n_mel, steps * r]``, ``gate [B, steps * r]``, ``alignments``."""
        batch = frames[0].shape[0]
        mel = torch.stack(frames, dim=1).reshape(batch, -1, self.n_mel_channels).transpose(1, 2)
        return mel, torch.stack(gates, dim=1).reshape(batch, -1), torch.stack(weights, dim=1)

    def forward(self, memory, memory_lengths, mel_target):
        """Teacher forcing: outputs cover ``ceil(T / r) * r`` frames of the ``[B, n_mel, T]`` target."""
        r = self.n_frames_per_step
        steps = -(-mel_target.shape[2] // r)
        previous = mel_target[:, :, r - 1::r][:, :, : steps - 1]
        inputs = torch.cat([mel_target.new_zeros(mel_target.shape[0], self.n_mel_channels, 1), previous], dim=2)
        prenet_out = self.prenet(inputs.transpose(1, 2))
        processed_memory = self.attention_layer.memory_layer(memory)
        pad_mask = ~lengths_to_mask(memory_lengths, memory.shape[1])
        state = self._initial_state(memory)
        frames, gates, weights = [], [], []
        for step in range(steps):
            frame, gate, weight = self._step(prenet_out[:, step], state, memory, processed_memory, pad_mask)
            frames.append(frame)
            gates.append(gate)
            weights.append(weight)
        return self._to_frames(frames, gates, weights)

    @torch.no_grad()
    def infer(self, memory, memory_lengths):
        """Free running until every item's gate passes ``gate_threshold`` or ``max_decoder_steps``.

        Returns ``mel, gate, alignments`` as :meth:`forward` and ``mel_len [B]``: frames up to and
        including the first one whose gate fires (all frames for items that never stop).
        """
        r = self.n_frames_per_step
        batch = memory.shape[0]
        processed_memory = self.attention_layer.memory_layer(memory)
        pad_mask = ~lengths_to_mask(memory_lengths, memory.shape[1])
        state = self._initial_state(memory)
        previous = memory.new_zeros(batch, self.n_mel_channels)
        never = self.max_decoder_steps * r
        mel_len = torch.full((batch,), never, dtype=torch.int64, device=memory.device)
        frame_index = torch.arange(r, device=memory.device)
        frames, gates, weights = [], [], []
        for step in range(self.max_decoder_steps):
            frame, gate, weight = self._step(self.prenet(previous), state, memory, processed_memory, pad_mask)
            frames.append(frame)
            gates.append(gate)
            weights.append(weight)
            previous = frame[:, -self.n_mel_channels:]
            fired = torch.sigmoid(gate) > self.gate_threshold
            if self.attention_end_window > 0:
                fired = fired & (weight.argmax(dim=1) >= memory_lengths - self.attention_end_window)[:, None]
            first = torch.where(fired, frame_index, r).min(dim=1).values
            stop_here = (first < r) & (mel_len == never)
            mel_len = torch.where(stop_here, step * r + first + 1, mel_len)
            if bool((mel_len < never).all()):
                break
        mel, gate, alignments = self._to_frames(frames, gates, weights)
        return mel, gate, alignments, mel_len.clamp(max=mel.shape[2])


class Postnet(nn.Module):
    """Five convolutions predicting a residual added to the decoder's mels: ``[B, n_mel, T]`` → same."""

    def __init__(self, n_mel_channels, embedding_dim, kernel_size, n_convolutions, p_dropout):
        super().__init__()
        channels = [n_mel_channels] + [embedding_dim] * (n_convolutions - 1) + [n_mel_channels]
        self.convolutions = ConvBNStack(channels, kernel_size, "tanh", p_dropout, last_linear=True)

    def forward(self, mel):
        return mel + self.convolutions(mel)
