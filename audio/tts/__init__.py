"""Text-to-speech engines behind one interface: ``engine.synthesize(text, lang) -> Pcm``.

Engines: ``piper`` (neural, offline), ``espeak`` (espeak-ng from espeakng-loader, offline, many
languages incl. Mandarin and Cantonese), ``gtts`` (Google, online, with a timeout). The venue's chain
of them: :func:`audio.tts.chain.default_chain`.
"""
