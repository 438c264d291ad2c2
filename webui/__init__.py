"""The Gradio app's parts: shared service, rendering (escaping), one module per tab."""
