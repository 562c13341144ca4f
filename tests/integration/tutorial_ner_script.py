"""The NER tutorial's code (shared/seeds/004), verbatim between the GLUE blocks.

The tutorial leaves a few names to the reader (``args``, ``work_dir``,
``DATA_DIR``, ``MAX_SEQ_LENGTH``, ``BATCH_SIZE``, ``train_dataset``,
``output_file``); the GLUE blocks define them from command-line flags.
Run by tests/integration/test_nlp_tutorial.py.
"""
# ---- GLUE: imports and the names the tutorial assumes ----
import argparse
import os

import nemo
import nemo_nlp
from nemo.utils.lr_policies import get_lr_policy
from nemo_nlp import NemoBertTokenizer
from nemo_nlp.utils.callbacks.ner import eval_epochs_done_callback, eval_iter_callback

parser = argparse.ArgumentParser(description="NER tutorial")
parser.add_argument("--local_rank", type=int, default=None)
parser.add_argument("--num_gpus", type=int, default=1)
parser.add_argument("--amp_opt_level", default="O0")
parser.add_argument("--work_dir", default="ner_output")
parser.add_argument("--data_dir", required=True)
parser.add_argument("--pretrained_bert_model", required=True)
parser.add_argument("--max_seq_length", type=int, default=128)
parser.add_argument("--batch_size", type=int, default=8)
parser.add_argument("--fc_dropout", type=float, default=0.1)
parser.add_argument("--num_epochs", type=int, default=5)
parser.add_argument("--lr", type=float, default=5e-5)
parser.add_argument("--lr_policy", default="WarmupAnnealing")
parser.add_argument("--lr_warmup_proportion", type=float, default=0.1)
parser.add_argument("--optimizer_kind", default="adam")
parser.add_argument("--save_epoch_freq", type=int, default=1)
parser.add_argument("--save_step_freq", type=int, default=-1)
parser.add_argument("--random_seed", type=int, default=None, help="seed torch first (the tutorial sets no seed)")
args = parser.parse_args()
if args.random_seed is not None:
    import torch

    torch.manual_seed(args.random_seed)
work_dir = args.work_dir
DATA_DIR = args.data_dir
MAX_SEQ_LENGTH = args.max_seq_length
BATCH_SIZE = args.batch_size
output_file = os.path.join(work_dir, "output.txt")
# ---- end GLUE ----

nf = nemo.core.NeuralModuleFactory(backend=nemo.core.Backend.PyTorch,
                                   local_rank=args.local_rank,
                                   optimization_level=args.amp_opt_level,
                                   log_dir=work_dir,
                                   create_tb_writer=True,
                                   files_to_copy=[__file__])

tokenizer = NemoBertTokenizer(args.pretrained_bert_model)
pretrained_bert_model = nemo_nlp.huggingface.BERT(
    pretrained_model_name=args.pretrained_bert_model)

train_data_layer = nemo_nlp.data.BertTokenClassificationDataLayer(
    dataset_type="BertCornellNERDataset",
    tokenizer=tokenizer,
    input_file=os.path.join(DATA_DIR, "train.txt"),
    max_seq_length=MAX_SEQ_LENGTH,
    batch_size=BATCH_SIZE)

eval_data_layer = nemo_nlp.data.BertTokenClassificationDataLayer(
    dataset_type="BertCornellNERDataset",
    tokenizer=tokenizer,
    input_file=os.path.join(DATA_DIR, "dev.txt"),
    max_seq_length=MAX_SEQ_LENGTH,
    batch_size=BATCH_SIZE)

# ---- GLUE: the tutorial's name for the training data set ----
train_dataset = train_data_layer.dataset
# ---- end GLUE ----

hidden_size = pretrained_bert_model.local_parameters["hidden_size"]
tag_ids = train_dataset.tag_ids
ner_classifier = nemo_nlp.TokenClassifier(hidden_size=hidden_size,
                                          num_classes=len(tag_ids),
                                          dropout=args.fc_dropout)
ner_loss = nemo_nlp.TokenClassificationLoss(num_classes=len(tag_ids))


def create_pipeline(data_layer, batch_size=args.batch_size,
                    local_rank=args.local_rank, num_gpus=args.num_gpus):
    input_ids, input_type_ids, input_mask, labels, seq_ids = data_layer()
    hidden_states = pretrained_bert_model(input_ids=input_ids,
                                          token_type_ids=input_type_ids,
                                          attention_mask=input_mask)
    logits = ner_classifier(hidden_states=hidden_states)
    loss = ner_loss(logits=logits, labels=labels, input_mask=input_mask)
    steps_per_epoch = len(data_layer) // (batch_size * num_gpus)
    return loss, steps_per_epoch, data_layer, [logits, seq_ids]


train_loss, steps_per_epoch, _, _ = create_pipeline(train_data_layer)
_, _, data_layer, eval_tensors = create_pipeline(eval_data_layer)

train_callback = nemo.core.SimpleLossLoggerCallback(
    tensors=[train_loss],
    print_func=lambda x: print("Loss: {:.3f}".format(x[0].item())),
    get_tb_values=lambda x: [["loss", x[0]]],
    tb_writer=nf.tb_writer)

eval_callback = nemo.core.EvaluatorCallback(
    eval_tensors=eval_tensors,
    user_iter_callback=lambda x, y: eval_iter_callback(
        x, y, data_layer, tag_ids),
    user_epochs_done_callback=lambda x: eval_epochs_done_callback(
        x, tag_ids, output_file),
    tb_writer=nf.tb_writer,
    eval_step=steps_per_epoch)

ckpt_callback = nemo.core.CheckpointCallback(
    folder=nf.checkpoint_dir,
    epoch_freq=args.save_epoch_freq,
    step_freq=args.save_step_freq)

lr_policy_fn = get_lr_policy(args.lr_policy,
                             total_steps=args.num_epochs * steps_per_epoch,
                             warmup_ratio=args.lr_warmup_proportion)


nf.train(tensors_to_optimize=[train_loss],
         callbacks=[train_callback, eval_callback, ckpt_callback],
         lr_policy=lr_policy_fn,
         optimizer=args.optimizer_kind,
         optimization_params={"num_epochs": args.num_epochs,
                              "lr": args.lr})
