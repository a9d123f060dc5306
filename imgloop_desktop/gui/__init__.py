"""The Qt layer: widgets and item models only, over plain data from the services.

Nothing below this package imports Qt (tests/test_layers.py keeps that true).
"""
