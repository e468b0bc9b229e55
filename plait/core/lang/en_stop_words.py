"""English stop words: function words (articles, pronouns, determiners, prepositions, conjunctions, auxiliaries,
common adverbs and quantifiers) and the clitics plait's English tokenizer splits off. Lower case; a token is a
stop word when its lower-case text is listed. plait's own list, grouped by word class so it can be reviewed."""

_ARTICLES_AND_DETERMINERS = """
a an the this that these those each every either neither some any no none all both half several many much more
most few fewer less least other another such what whatever which whichever whose own same enough
"""
_PRONOUNS = """
i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves one ones oneself who whom whoever whomever someone
somebody something anyone anybody anything everyone everybody everything nobody nothing noone
"""
_PREPOSITIONS = """
about above across after against along amid among amongst around as at before behind below beneath beside besides
between beyond by despite down during except for from in inside into like near of off on onto opposite out outside
over past per round since than through throughout till to toward towards under underneath unlike until up upon via
with within without
"""
_CONJUNCTIONS = """
and but or nor so yet if unless because although though whereas while whether either lest once
"""
_AUXILIARIES = """
am is are was were be been being have has had having do does did doing done will would shall should can could may
might must ought
"""
_ADVERBS = """
not never also just only very too quite rather really even still already again ever always often sometimes
here there where when why how then now thus hence therefore however otherwise else instead perhaps almost
away back well further furthermore moreover meanwhile anyway anyhow somehow somewhere anywhere everywhere nowhere
elsewhere hereby herein thereby therein thereafter whereby wherein whereupon afterwards beforehand together
yes indeed
"""
_NUMBERS_AND_QUANTITIES = """
two three four five six seven eight nine ten first last next
"""
_COMMON_VERBS_AND_OTHERS = """
get gets got make made say says said see seem seems seemed become becomes became go goes went put take give
call keep show
"""
_CLITICS = """
n't 's 'm 'd 'll 're 've n’t ’s ’m ’d ’ll ’re ’ve
"""

STOP_WORDS: frozenset[str] = frozenset(
    " ".join((_ARTICLES_AND_DETERMINERS, _PRONOUNS, _PREPOSITIONS, _CONJUNCTIONS, _AUXILIARIES, _ADVERBS,
              _NUMBERS_AND_QUANTITIES, _COMMON_VERBS_AND_OTHERS, _CLITICS)).split()
)
