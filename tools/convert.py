"""`edgecnn convert` from a checkout: PYTHONPATH=python python tools/convert.py IN.onnx -o OUT.ecnn"""
import sys
from edgecnn.cli import main
sys.exit(main(["convert", *sys.argv[1:]]))
