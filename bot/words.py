"""Word lists that carry no topic: a question made only of these asks nothing in particular.

`STOP_WORDS` is the English stop-word list of scikit-learn (from the Glasgow Information
Retrieval Group), kept here so that answering never has to import scikit-learn.
`FILLERS` are the words people wrap any question in ("could", "tell me", "lately"), and
`EVERYDAY` the everyday words of a rambling question ("couch", "coworker", "honestly").
None of them ever counts as a word the FAQ does not know, or is spelling-corrected.
`COMMON` are other common English words that carry no health topic; in a long, rambling
message ("I work construction in the summer…") they do not count as unknown either.
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
    circumstances constitute develop developing directly identify implicated increase increased
    indicated indirectly principal provide recognised recognized significant significantly
    substantial suspected
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

COMMON = frozenset(
    """
    abandoned ability abroad absence absolute academic academy accept accepted access
    accidentally according accurate accused achieve achieved achievement acquired act acted
    acting action actions acts addition additional address administration administrative adopted
    ads adult adults advance advanced advantage adventure advertising affair affairs afternoons
    agencies agency agenda agent agents ago agreed agreement agricultural agriculture ahead aim
    aircraft airport alert alien alleged alliance allow allowed allowing allows alongside
    alternative ambassador amendment analysis ancient angel angle anniversary announced
    announcement annoy annoyed annual answered answers anyways apartments apologise apologised
    apologize apologized apparent appeal appearance appeared appears application applications
    applied apply appreciate approach appropriate approval approved approximately architecture
    areas argue argued arguing argument arguments armed army arrange arranged arrest arrested
    arrival arrive arrived art article articles artist artists arts aspects assembly assigned
    assignment assignments assist assistance assistant associate association assumed assuming
    atmosphere attached attempted attempts attend attended attending attic attitude attorney
    attracted attractive audience aunts author authorities authority authors auto automatic
    automatically available avenue award awarded awards aware awareness awesome bag bags ban
    bang banned base basement basis battle beautiful beginning begins begun behalf belief
    believed believes bell belong belt bench bible bid bigger birthday bishop blast block blocks
    blue board boards boat bomb boom boots border borrow borrowed bosses bother bothered bound
    bow branch brave break breaking breaks bridge brief brilliant broad brothers brown buildings
    built bureau buried bus buses business businesses bye cabinet calendar camp campaign campus
    cancel canceled cancelled candidate candidates cap capable capacity cape capital captain
    capture captured car carbon careers careful carefully carpet carried carrying cars castle
    casual categories category celebrate celebration central centuries century ceremony
    certificate chain chairman chairs challenge challenges chamber chance chances changing
    chapter character characters charge chart chase chief chore chose chosen church circle
    circuit circumstances cited cities citizen citizens city civil claim claimed claiming claims
    classic classmate classmates classroom clay clean clever clients clock close closed closely
    closer closet closing clothes clothing coach coaches coal coast coat colleagues collect
    collected collection collective colonel column combat combination combined command commander
    comment comments commercial commission commissioner commit commitment committed committee
    commonwealth communication communications communist communities community commuted commuter
    companies company compare compared comparison compete competition competitive complain
    complained complaining complaint complete completed component components composition
    comprehensive concept concluded conclusion concrete conduct conducted conference confidence
    conflict congratulations congress consent consequences conservation conservative consider
    considered considering consistent consists constant constitution constitutional constructed
    construction consumer consumers contact contemporary content contest continue continued
    continues contract contracts contrast contribution contributions controlled controls
    convention conversation conversations convinced cooperation cop copies cops copy corporate
    corporation correct corruption cotton council count countries country countryside county
    couples courage course courses court courts cousins coworkers craft crafts create created
    creating creation creative creek crime crimes criminal critical criticism critics cross
    crossed crossing crowd crystal cultural culture curtain curtains custom customers cute daddy
    dads dare dark darkness date dated dates deadline deadlines dealing deals dean dear debate
    decades deciding decision decisions deck declared decline dedicated deep deeper deeply
    default defeat defend defending defense defensive defined degree delay delayed deliver
    demand demands democracy democratic democrats denied deny department depending depends depth
    deputy derived described describing description desert deserve deserves design designed
    designer designs desire desks despite destroy destroyed destruction detailed details
    determined develop developed developing development devil dialogue diamond difference
    differences different difficult difficulty direct directed direction directly director
    directors dirty disagree disagreed disaster discovery discrimination discuss discussed
    discussion display distinct distributed distribution district districts diversity divided
    division divorce document documents domestic door doors doubt downtown draft drag drama
    dramatic drawer drawers dress dressed drew drive driven driver drivers drives driveway
    driving drove duke duties duty dynamic early ease east eastern edit edited edition editor
    educated education educational effective effectively efficiency efficient effort efforts
    elected election elections electrician elementary eligible elite empire employed employees
    employers employment enable encourage encouraged enemies enemy enforcement engage engaged
    engagement engine engineer engineering engineers engines enjoy enjoyed enjoying enormous
    ensure enter entered entering enterprise entitled entrance entry environment environmental
    epic equal equally equipment equivalent era errand error escape essay essays essential
    establish established establishment estate estimate estimates eve evenings event events
    evidence evil evolution examples exception exchange exciting exclusive excuse execution
    executive exhibition exist existed existence existing exists exit expand expansion
    expectations experienced experiences experiment expert experts explore express expressed
    expression extend extended extension extensive extent external extraordinary extreme
    facilities facility factory facts faculty fail failed failing fair faith fake false fame
    familiar famous fancy far farm farmers fashion fate fault favor favorite feature featured
    features featuring federal feedback fellow fence ferry fiction field fields fifth figured
    figures figuring filed findings finished finishes finishing fired firm firms flatmates fleet
    flight flights flower flowers follow followed followers following follows fool force forced
    forces foreign forest forgotten formal format formation fort forth forum forward foster
    fought foundation founded founder fourth frame framework franchise fraud free freedom
    frequently fridays friendly friends friendship fuel fun fundamental furniture future gallery
    gang garage garden gardening gardens gate gates gave gear generated generation generations
    genius genuine ghost giant gift gifts given giving global glory goal goals god gods gone
    goodbye gorgeous gotten government governments governor grab grace grade grades graduate
    grand grandparents grant granted gray great greater greatest greatly grew grey gross ground
    grounds grown guarantee guaranteed guessed guessing guest guests guidance guide guilty hall
    hallway handed handle handled handles handling hang hanging happiness hat having
    headquarters heaven heavily held hello helpful heritage hero heroes hidden hide hiding
    highway hill hills hire hired historic historical hits hobbies hobby holding holds hole
    holes holiday holidays holy honor hook hoped hopes host hotel hotels housemates houses
    housing humanity hundreds hurried hurry ideal identified identify identity idiot illegal
    immediate immigrants immigration implementation importance important impressed impression
    impressive improve improved improvement improving incident include included includes
    including increase increased increases increasing increasingly incredible independence
    independent index indicate indicated individual individuals industrial industries industry
    informed infrastructure initial initiative innocent innovation input inspiration inspired
    installed instance instant instead institute institution institutions instruments integrated
    intellectual intelligence intelligent intended intention interested interesting interests
    interior intern internal interns internship interview interviews introduce introduced
    introduction investigate investigated investigating investigation investigations invitation
    invite invited involvement involves island islands issued item items jacket jail jet join
    joined joining joke jokes journal journalist journalists journey journeys joy judge judges
    junior jury justice kicked kinds king kingdom kings kit knitting knock knowledge label
    ladies laid lake lamp land landing lands landscape lane language languages larger largest
    late laugh laughing launch launched law laws lawyer lawyers layer leader leaders leadership
    learned learning learnt leather leave leaves lectures led left legacy legal legend
    legislation legislative lend length lent lesson lessons lets letter letters letting liberal
    liberty library license lieutenant lifetime light lighting lights line lines list listed
    listen listening listing lists literary literature lived lives local located locations lock
    locked log logic longer loop loose lord loud loved loves loving lowest luck luggage luxury
    magazine magic mail maintain maintained maintenance major making mall manage managers
    manages manner manual manufacturing map maps march marine mark marked marks marriage married
    marry master masters material materials math matters mayor mechanic mechanical median medium
    meet meets member members membership memo memos mentioned mentioning message messages messy
    met method methods middle military mini minimum mining minister ministers ministry minor
    minority minutes mirror mission mistake mistakes mode model models modern moments moms
    mondays monster monthly months moon moral motor motorway mount mountain mountains multiple
    mums museum mystery named narrative narrow nation national nations native navy neat
    necessarily necessary neighborhood neighbors neighbourhood neighbours newly newspaper
    nightmare noise noisy north northern notebook notes noticed noticing nuclear object
    objective objects observed obtain obtained occasion occupied occurred occurs ocean offensive
    offer offered offering offers officer officers offices official officially officials older
    ongoing opened opening opens operator opinions opportunities opportunity opposed opposite
    opposition organise organised organising organization organizations organize organized
    organizing origin original ought outcome output outside outstanding overall overseas owner
    owners ownership pace package page pages paint painted painting paintings palace pants paper
    papers paperwork parent park parking parks parliament participants participate participation
    parties partners partnership party passenger passengers passion passport past path peace
    peak peer peers pen penalty perfectly performance performances permanent permission personal
    personality personnel perspective petition philosophy phrase physics pick picked picking
    piece pieces pilot pink placed plane planet plastic platform pleased pleasure plot plumber
    plus poetry police policies policy polish polite political politicians politics poll pope
    popular porch port position positions possession possibility postpone postponed potential
    potentially pottery power powerful powers practical practice practiced practices practicing
    practise practised practising praise pray prayer precious preferred preparation prepared
    preparing presence present presentation presentations presented presents president
    presidential press pretend pride priest primarily prime prince princess principal principle
    principles print printed priority prison prisoners privacy private prize probable produce
    produced producer producers producing product production products professor profile progress
    progressive project projects prominent promise promised promote promoted promotion proof
    properties property proposal proposed protest prove proved proven provide provided provides
    providing province public publication published publishing punch punishment pure purple
    purpose purposes push pushed pushing qualified quality queen questions quiet quite quote
    racial racist radical rail railroad railway rally rank ranked rapid rapidly rated rating
    ratio reach reached reaching read reader readers realising reality realizing rear reasonable
    recall receive received receiving recognition recognize recognized recommendations record
    recorded recording records refer referred referring reflect reform refuse refused regard
    regarded regarding regional regions register registered registration regret regulation
    regulations rejected relation relations released relevant reliable religion religious rely
    remained remaining remains remarkable remembered remembering remind reminded reminds remote
    remove removed repair replace replaced replacement replied report reported reporter
    reporting reports represent representation representative representatives represented
    representing represents republic republican republicans reputation request requested require
    required requires rescue researchers residence resident residential residents resolution
    resort resource resources respect respectively respond response responses responsibility
    restrictions retail retired retirement returned returning returns reveal revealed reveals
    reverse review reviews revolution reward ring rings rise rising river rivers road roads
    rocket rocks roll rolling romance romantic roof roommates rooms root roots rose round rounds
    route routes row royal rude ruled ruling rural rush rushed sacrifice saint sake sand
    satellite save saved saw saying says scandal scene scenes schedule scheduled schedules
    scheduling scheme schools scientific scientists screaming sea seal search searching seat
    seats second secondary seconds secret secretary secrets section sections sector secure
    security select selected selection semester senate senator send sending senior sent sentence
    separate separated sequence seriously serve serves service services session sessions settle
    settled settlement seven sewing shadow shall shallow shame shared sharing sheet shell shield
    shifts ship shipping ships shirt shoes shop shops shore shortly shown shut signal
    significant significantly silence silent silver similar similarly sin sisters situations
    sixth skill skills slave slide smaller smart smooth society soil soldier soldiers solid solo
    solution solutions solve somewhat sorted sorting sought soul sounds south southern space
    spare speak speaker speaking speaks speed spell spirit spiritual split spoke spoken
    spreadsheet square stability stable standard standards star stars statement statements
    station stations stay stayed steady steal steam steel step steps stick stolen stories
    straight stranger strangers strategic strategies strategy street streets strict strike
    string strip struck structure structures struggle struggled stuck students studied studies
    studio study style styles subject subjects submitted subsequent substantial suburb suburbs
    subway succeed success successful successfully suck sucks sudden sufficient suggest
    suggested suggests suit suitable suitcase sum summit superior supervisor supervisors support
    supported supporters supporting supports supposed supreme surprise surrounded surrounding
    survey suspect suspended swear swing switch sword tag talent talented talk talked talking
    talks tank tape task tasks taught taxi taxis teach teachers teaching team teammate teammates
    teams technical technique techniques temporary tended tends territory terrorist textbook
    textbooks thanked thanks theme theories theory thesis thinking thinks thoughts thousands
    thread threat threatened thrown ticket tickets tidied tidy tie ties till timing title titles
    tool tools topic tour tourist tourists tours tower town towns track tracks tradition
    traditional traffic trainer trainers tram transfer transferred transition translation
    transport transportation trap trash travel traveled traveling travelled travelling treaty
    tree trees trend trends trick trip trips troops truck trust truth turned turning turns tutor
    tutors types typically ugly ultimate ultimately uncles underground understanding understands
    understood unfair uniform union unique universal universe universities unknown unless unlike
    unlikely unlucky unusual update updated updates urban useful useless usual vacation
    vacations vacuum vague valid valley valuable van variety vast vehicle vehicles version
    versions versus veterans vice victory view viewed views village visible visit visited
    visiting visitors visits volume volunteer volunteers vote voted voters votes voting wall
    walls wander wandered wanted wanting wants war wars wear wearing wedding weekdays weekends
    welcome welfare west western wheel whichever whilst wide widely win window winner winners
    winning wins wire wisdom wise wished wishes wishing witness witnesses won wondered wonderful
    wonders wood wooden woods woodwork word words wore workers workload worship worthy write
    writer writers writes written wrote yard yards yearly yellow young younger zone
    """.split()
)
