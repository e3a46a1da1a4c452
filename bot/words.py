"""Word lists that carry no topic: a question made only of these asks nothing in particular.

`STOP_WORDS` is the English stop-word list of scikit-learn (from the Glasgow Information
Retrieval Group), kept here so that answering never has to import scikit-learn.
`FILLERS` are the words people wrap any question in ("could", "tell me", "lately"), and
`EVERYDAY` the everyday words of a rambling question ("couch", "coworker", "honestly").
None of them ever counts as a word the FAQ does not know, or is spelling-corrected.
"""

from __future__ import annotations

STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg
    eight either eleven else elsewhere empty enough etc even ever every everyone everything
    everywhere except few fifteen fifty fill find fire first five for former formerly forty
    found four from front full further get give go had has hasnt have he hence her here
    hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in
    inc indeed interest into is it its itself keep last latter latterly least less ltd made many
    may me meanwhile might mill mine more moreover most mostly move much must my myself name
    namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
    of off often on once one only onto or other others otherwise our ours ourselves out over own
    part per perhaps please put rather re same see seem seemed seeming seems serious several she
    should show side since sincere six sixty so some somehow someone something sometime
    sometimes somewhere still such system take ten than that the their them themselves then
    thence there thereafter thereby therefore therein thereupon these they thick thin third this
    those though three through throughout thru thus to together too top toward towards twelve
    twenty two un under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
    """.split()
)

FILLERS = frozenset(
    """
    ask asking bit could does doing doe explain get getting go going got guess happen
    happening help hey hi just keep kind know let lot lots make maybe mean need okay ok
    people pretty really say seem sort stuff tell thank thing things think want way
    wonder wondering would yeah yes lately recently day days night nights week weeks
    time times always ever usually often wrong deal idea question
    """.split()
)

EVERYDAY = frozenset(
    """
    abit able absolutely actual actually additionally admit admittedly afternoon agree ah
    ahh allegedly alot alright amazing annoying annoyingly answer anybody anymore anytime
    apartment apparently appear april area argh arguably aspect assume attempt august aunt
    awake awful awhile awkward background bad badly baffled barely basically bed bedroom
    began begin believe best bestie better big biggest bizarre blanket bloke body bonkers
    boring boss bothering bothersome bout boyfriend briefly bring bro brother brought btw
    buddy bugging bummed bunch busy came career carry case certain certainly chair change
    changed chap choice choose chores circumstance class cleaning clear clearly client
    clueless colleague college come coming commute commuting comparatively completely
    complicated confident confusing constantly context continuing cos couch countless couple
    cousin coworker coz crazy crew crouching curious current currently customer cuz dad
    daily dawn decade december decent decide decided definitely desk desperate disappointed
    distracting downstairs dozen dude dumb dunno dusk duvet eager earlier easier easily easy
    eighteen eighty embarrassed employee employer ending entire entirely erm errands
    especially essentially evening eventually everyday exact exactly example excellent
    excited expect experience experiencing extra extremely fact fairly family fantastic
    father february fed feel fella felt fiance fiancee figure final finally fine finish
    firstly flat flatmate floor folks forever forgot fortnight fortnightly fourteen frankly
    friday friend frustrating fully funnily funny fyi gal geez general generally gentleman
    genuinely gimme girlfriend glad gonna gosh gotta gradually gran grandfather grandma
    grandmother grandpa grateful gutted guy haha half handful happy harder hardly hate heaps
    hear heard hella highkey highly hmm hmmm hold home homework honest honestly hoovering
    hope hopeful hopefully hoping horrible hour house household housemate housework hubby
    huge human husband idk imagine immediately imo impatient impossible incredibly info
    information initially insanely inside instantly intrigued irritating issue
    january jeez july june keen kept kinda kneeling knew known lad lady large largely lastly
    later latest laundry laying lazy leaning learn leaving lecture legit lemme lie life like
    liked literally little live living loads location lol long look lotta lounging love
    lovely lowkey luckily lucky lying main mainly majorly man manager massive mate matter
    meant meeting meetings mega men mention merely mess midnight mind minute missus mom
    moment monday month morning mother mum mysterious nah nan nana nasty nearby nearly
    neighbor neighbour new ngl nice nightly nineteen ninety nonetheless noon nope note
    november nowadays numerous obvious obviously occasionally occur october odd oddly office
    oh old omg oops open opinion ordinary originally overnight overtime pair pal parents
    particular particularly partly partner peculiar perfect person personally phase place
    plenty pls plz point possible possibly practically precisely prefer presumably previous
    previously prior probably problem proper properly proud puzzled quarter quick quickly
    quit random randomly rarely reading ready real realise realised realize realized
    reasonably recent reckon reclining regardless region regularly relative relatively
    relieved remain remember repeat reply return ridiculous ridiculously room roommate rough
    roughly routine ruin sadly said sat satisfied saturday scarcely scenario school secondly
    seldom sense september seventeen seventy share shift shocked silly simple simply single
    sister sitting situation sixteen slightly slouching slow slowly small smh sofa somebody
    someday someplace soon sorry sorta sound specific specifically spot spouse staff
    standing start staying stood story strange strangely struggling student studying stumped
    stupid suddenly suffering sunday super suppose supposedly sure surely surface surprised
    surprisingly tad taken taking tbh teacher technically tend terrible thankful thankfully
    thirteen thirty tho thought thousand thrice thursday tidying tiny today told tomorrow
    tonight tonite tonnes tons took total totally tough tried true truly try tuesday turn
    twice type typing ugh uh um umm unable uncle underneath understand unfortunately uni
    university unsure unsurprisingly upcoming upset upstairs use used using utterly
    vacuuming various virtually waiting wake waking walking wanna watching wednesday weekday
    weekend weekly weeknight weird weirdly whatnot whoa wife wild wish woke woman women
    workday worker working workplace world worst wow writing ya yea year yep yesterday yikes
    yup zero
    """.split()
)
