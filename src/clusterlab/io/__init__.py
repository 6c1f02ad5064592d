"""Reading tables and reading/writing safe model files."""

from clusterlab.io.model_file import load_model, save_model
from clusterlab.io.registry import register_family, unregister_family
from clusterlab.io.steps import ColumnSelector
from clusterlab.io.tables import read_table

__all__ = ["ColumnSelector", "load_model", "read_table", "register_family", "save_model",
           "unregister_family"]
