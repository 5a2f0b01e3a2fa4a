"""The key-point judge: a cross-encoder trained here decides, per key point, whether an answer
covers it, covers it partly, leaves it out or contradicts it, and quotes the window that says so.

Layers inside: ``windows`` (where evidence can sit), ``model`` (the ONNX cross-encoder and its
tokenizer, no torch), ``decide`` (probabilities to verdicts). Training lives outside the package,
in ``training/judge/`` (one command rebuilds the shipped model).
"""
