"""What the Jasper and QuartzNet training scripts share: flags, model config, DAGs, training."""

import math
import os
from functools import partial

from ruamel.yaml import YAML

import nemo
import nemo_asr
from nemo.utils import NemoArgParser
from nemo.utils.lr_policies import CosineAnnealing
from nemo_asr.helpers import monitor_asr_train_progress, process_evaluation_batch, process_evaluation_epoch

HERE = os.path.dirname(os.path.abspath(__file__))
AN4 = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "data", "an4"))
REQUIRED_CONFIG_KEYS = ("labels", "AudioToMelSpectrogramPreprocessor", "JasperEncoder")


def parse_args(model_name, default_config, argv=None, **defaults):
    """Legacy training flags (NemoArgParser) with the bundled AN4 sample as default data.

    ``defaults`` override the flags' defaults (e.g. ``num_epochs=60``).
    """
    parser = NemoArgParser(description=f"Train {model_name} (CTC) on manifests of speech and transcripts")
    parser.set_defaults(
        train_dataset=os.path.join(AN4, "train_manifest.json"),
        eval_datasets=[os.path.join(AN4, "test_manifest.json"), os.path.join(AN4, "train_manifest.json")],
        model_config=os.path.join(HERE, "configs", default_config),
        exp_name=model_name,
        batch_size=32,
        lr=0.02,
        weight_decay=1e-3,
        optimizer="novograd",
        create_tb_writer=True,
    )
    parser.set_defaults(**defaults)
    args = parser.parse_args(argv)
    if args.num_epochs is None and args.max_steps is None:
        parser.error("give --num_epochs or --max_steps")
    return args


def load_model_config(path):
    """The legacy model YAML as a dict; names the file and the missing section on error."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model config not found: {path}")
    with open(path) as handle:
        config = YAML(typ="safe").load(handle)
    missing = [key for key in REQUIRED_CONFIG_KEYS if key not in (config or {})]
    if missing:
        raise ValueError(f"{path}: missing section(s) {missing}; a Jasper/QuartzNet config needs "
                         f"{list(REQUIRED_CONFIG_KEYS)}")
    return config


def data_layer_params(config, split):
    """``AudioToTextDataLayer`` arguments for ``split`` ('train' or 'eval'): shared keys, then the split's."""
    section = dict(config.get("AudioToTextDataLayer") or {})
    params = {k: v for k, v in section.items() if k not in ("train", "eval")}
    params.update(section.get(split) or {})
    params.setdefault("sample_rate", config.get("sample_rate", 16000))
    return params


class AsrModel:
    """The modules of a Jasper/QuartzNet CTC model built from a legacy config; call DAG builders on it."""

    def __init__(self, config):
        self.labels = list(config["labels"])
        prep_params = dict(config["AudioToMelSpectrogramPreprocessor"])
        prep_params.setdefault("sample_rate", config.get("sample_rate", 16000))
        self.preprocessor = nemo_asr.AudioToMelSpectrogramPreprocessor(**prep_params)
        augment = config.get("SpectrogramAugmentation")
        self.spec_augment = nemo_asr.SpectrogramAugmentation(**augment) if augment else None
        self.encoder = nemo_asr.JasperEncoder(feat_in=prep_params.get("features", 64), **config["JasperEncoder"])
        decoder_params = {k: v for k, v in (config.get("JasperDecoderForCTC") or {}).items()
                          if k not in ("feat_in", "num_classes")}
        self.decoder = nemo_asr.JasperDecoderForCTC(feat_in=config["JasperEncoder"]["jasper"][-1]["filters"],
                                                    num_classes=len(self.labels), **decoder_params)
        self.ctc_loss = nemo_asr.CTCLossNM(num_classes=len(self.labels))
        self.greedy_decoder = nemo_asr.GreedyCTCDecoder()

    def dag(self, data_layer, train):
        """Build a DAG over ``data_layer``; returns ``loss, predictions, transcripts, transcript_length``.

        SpecAugment is applied in the train DAG only.
        """
        audio, audio_len, transcript, transcript_len = data_layer()
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        if train and self.spec_augment is not None:
            spec = self.spec_augment(input_spec=spec)
        encoded, encoded_len = self.encoder(audio_signal=spec, length=spec_len)
        log_probs = self.decoder(encoder_output=encoded)
        predictions = self.greedy_decoder(log_probs=log_probs, log_probs_length=encoded_len)
        loss = self.ctc_loss(log_probs=log_probs, targets=transcript, input_length=encoded_len,
                             target_length=transcript_len)
        return loss, predictions, transcript, transcript_len

    def inference_dag(self, data_layer):
        """Inference DAG: ``log_probs, encoded_len, predictions, transcripts, transcript_length``."""
        audio, audio_len, transcript, transcript_len = data_layer()
        spec, spec_len = self.preprocessor(input_signal=audio, length=audio_len)
        encoded, encoded_len = self.encoder(audio_signal=spec, length=spec_len)
        log_probs = self.decoder(encoder_output=encoded)
        predictions = self.greedy_decoder(log_probs=log_probs, log_probs_length=encoded_len)
        return log_probs, encoded_len, predictions, transcript, transcript_len


def manifest_tag(path):
    """Evaluation tag of a manifest: its file name without extension (``dev_clean.json`` → ``dev_clean``)."""
    return os.path.basename(path).split(".")[0]


def optimizer_params(args):
    """optimization_params of ``nf.train`` from the flags (betas/momentum only when given)."""
    params = {"num_epochs": args.num_epochs, "max_steps": args.max_steps, "lr": args.lr,
              "weight_decay": args.weight_decay}
    if args.beta1 is not None or args.beta2 is not None:
        defaults = (0.95, 0.98) if args.optimizer.lower() == "novograd" else (0.9, 0.999)
        params["betas"] = (args.beta1 if args.beta1 is not None else defaults[0],
                           args.beta2 if args.beta2 is not None else defaults[1])
    if args.momentum is not None:
        params["momentum"] = args.momentum
    return params


def train(args, script_file):
    """Build the train DAG and one eval DAG per ``--eval_datasets`` manifest, then train."""
    log_dir = os.path.join(args.work_dir, args.exp_name) if args.work_dir else args.exp_name
    nf = nemo.core.NeuralModuleFactory(
        local_rank=args.local_rank, optimization_level=args.amp_opt_level, log_dir=log_dir,
        checkpoint_dir=args.checkpoint_dir, create_tb_writer=args.create_tb_writer,
        tensorboard_dir=args.tensorboard_dir, files_to_copy=[args.model_config, script_file],
        cudnn_benchmark=args.cudnn_benchmark, random_seed=args.random_seed)
    logger = nf.logger
    config = load_model_config(args.model_config)
    model = AsrModel(config)
    labels = model.labels
    logger.info(f"{config.get('model', 'model')} from {args.model_config}: encoder {model.encoder.num_weights} "
                f"weights, decoder {model.decoder.num_weights}; {nf.world_size} process(es)")

    train_layer = nemo_asr.AudioToTextDataLayer(
        manifest_filepath=args.train_dataset, labels=labels, batch_size=args.batch_size,
        num_workers=args.num_workers, **data_layer_params(config, "train"))
    loss, predictions, transcript, transcript_len = model.dag(train_layer, train=True)
    callbacks = [
        nemo.core.SimpleLossLoggerCallback(
            tensors=[loss, predictions, transcript, transcript_len],
            print_func=partial(monitor_asr_train_progress, labels=labels, logger=logger)),
        nemo.core.CheckpointCallback(folder=nf.checkpoint_dir, load_from_folder=args.load_dir,
                                     step_freq=args.checkpoint_save_freq),
    ]
    for manifest in args.eval_datasets or []:
        eval_layer = nemo_asr.AudioToTextDataLayer(
            manifest_filepath=manifest, labels=labels, batch_size=args.eval_batch_size or args.batch_size,
            num_workers=args.num_workers, **data_layer_params(config, "eval"))
        callbacks.append(nemo.core.EvaluatorCallback(
            eval_tensors=list(model.dag(eval_layer, train=False)),
            user_iter_callback=partial(process_evaluation_batch, labels=labels),
            user_epochs_done_callback=partial(process_evaluation_epoch, tag=manifest_tag(manifest), logger=logger),
            eval_step=args.eval_freq))

    steps_per_epoch = math.ceil(len(train_layer) / (args.batch_size * nf.world_size * args.iter_per_step))
    epoch_steps = args.num_epochs * steps_per_epoch if args.num_epochs is not None else None
    total_steps = min(s for s in (args.max_steps, epoch_steps) if s is not None)
    nf.train(tensors_to_optimize=[loss], callbacks=callbacks, optimizer=args.optimizer,
             lr_policy=CosineAnnealing(total_steps=total_steps, warmup_steps=args.warmup_steps),
             optimization_params=optimizer_params(args), batches_per_step=args.iter_per_step)
    logger.info(f"Checkpoints are in {nf.checkpoint_dir}")
    return nf
