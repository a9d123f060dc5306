"""imgloop desktop: generate, judge and revise images on Amazon Bedrock until one matches."""

__version__ = "0.1.0"
