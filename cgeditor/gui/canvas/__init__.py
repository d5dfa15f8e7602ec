"""The canvas: the scene, node and wire items, the view, the zoomed-out overview, the wiring
gesture and picture export."""
