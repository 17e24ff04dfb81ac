"""Demo content: the cited facts of sources/FACTS.md (story, help page, figures, news).

The repatriation story, the figures and the two news items restate facts from two press reports
and cite them (publisher, title, year; no web address is known). There are no sample monuments:
the real ones, each fact with its source, are reviewed data loaded by ``flask content
load-monuments`` (``portal/data/monuments.py``). Invented tips stay labelled as samples
(``portal.demo.tips.load_demo_tips``). The Khmer and Vietnamese text awaits a native
reviewer (translations/REVIEW.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.content import Figure, NewsItem, Page
from portal.services.content import HELP_PAGE, REPATRIATION_PAGE
from portal.services.content_editing import save_figure, save_news, save_page

SOURCE_1 = ("Việt Nam News (VNA/VNS)",
            "Report on the 24th meeting of the Vietnamese and Cambodian specialised committees "
            "for the search and repatriation of remains", 2025)
SOURCE_2 = ("TTXVN",
            "Report on the signing ceremony of the An Giang and Koh Kong specialised committees in Koh Kong",
            2025)
# The two sources described in each language (sources/FACTS.md gives their descriptions, not titles).
SOURCE_TITLES = {
    SOURCE_1: {
        "vi": "bài về Kỳ họp lần thứ XXIV của Ủy ban Chuyên trách Chính phủ Việt Nam và Campuchia về tìm kiếm, "
              "quy tập và hồi hương hài cốt",
        "km": "អត្ថបទអំពីកិច្ចប្រជុំលើកទី២៤ នៃគណៈកម្មាធិការពិសេសវៀតណាម និងកម្ពុជា "
              "ទទួលបន្ទុកស្វែងរក និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុ",
    },
    SOURCE_2: {
        "vi": "bài về lễ ký biên bản hợp tác giữa Ban Chuyên trách tỉnh An Giang và Ban Chuyên trách tỉnh Koh Kong "
              "tại Koh Kong",
        "km": "អត្ថបទអំពីពិធីចុះហត្ថលេខាលើកំណត់ហេតុកិច្ចសហប្រតិបត្តិការ រវាងគណៈកម្មាធិការពិសេសខេត្តអានយ៉ាង "
              "និងខេត្តកោះកុង នៅខេត្តកោះកុង",
    },
}


def _with_source_titles(texts: dict[str, dict[str, str]], source: tuple[str, str, int]) -> dict[str, dict[str, str]]:
    return {lang: {**fields, "source_title": SOURCE_TITLES[source].get(lang, "")} for lang, fields in texts.items()}

REPATRIATION = {
    "en": {
        "title": "How the search and repatriation work is done",
        "body": """
<p>Việt Nam and Cambodia search for, collect and repatriate the remains of the Vietnamese volunteer soldiers
and experts who fell in Cambodia. The work rests on an agreement between the Government of Việt Nam and the
Royal Government of Cambodia signed in Phnom Penh on 28 August 2000.</p>
<h2>The specialised committees</h2>
<p>Each government has a specialised committee for this work. At their 24th meeting, held in Hồ Chí Minh City
in late 2025, Việt Nam's committee was chaired by Senior Lieutenant General Võ Minh Lương, Deputy Minister of
National Defence, and Cambodia's by General Pol Saroeun, Government Adviser. Provinces have specialised
committees too: on 6 October 2025 those of An Giang and Koh Kong signed their cooperation minutes for the
2025–2026 dry season at the Koh Kong provincial hall.</p>
<h2>Dry-season teams</h2>
<p>Search work is done in the dry season, roughly from November to May. In the 2025–2026 dry season Việt Nam
keeps 11 search and collection teams working across Cambodian provinces and cities. In the 2024–2025 dry
season, Vietnamese teams located and repatriated 781 sets of remains.</p>
<p>An Giang province's two search teams have collected 4,286 sets of remains in 6 Cambodian provinces; its
Team K92 has collected 160 sets in Koh Kong. In Koh Kong, the authorities, armed forces and people give
information, guide the teams and protect them.</p>
<h2>How your information helps</h2>
<p>Information on burial sites is becoming more and more limited, and both sides encourage people to come
forward with what they know. The name of a place, a story heard from parents, a grave seen long ago: any
detail can help a team. You can tell us without giving your name.</p>
<h2>The Friendship Monuments</h2>
<p>The committees keep building, repairing and preserving the Việt Nam–Cambodia Friendship Monuments in
Cambodia, manage them under state rules and Cambodian customs, and host delegations who come to pay
tribute.</p>
<h2>Sources</h2>
<ul>
<li>Việt Nam News (VNA/VNS), report on the 24th meeting of the specialised committees, 2025.</li>
<li>Vietnamese press (TTXVN), report on the signing ceremony in Koh Kong, 6 October 2025.</li>
</ul>
""",
    },
    "vi": {
        "title": "Công tác tìm kiếm, quy tập và hồi hương hài cốt liệt sĩ",
        "body": """
<p>Việt Nam và Campuchia phối hợp tìm kiếm, quy tập và hồi hương hài cốt liệt sĩ quân tình nguyện và chuyên
gia Việt Nam hy sinh tại Campuchia. Cơ sở pháp lý của công tác này là Hiệp định giữa Chính phủ Việt Nam và Chính phủ
Hoàng gia Campuchia ký tại Phnôm Pênh ngày 28 tháng 8 năm 2000.</p>
<h2>Ủy ban Chuyên trách Chính phủ hai nước</h2>
<p>Chính phủ mỗi nước có một Ủy ban Chuyên trách về công tác này. Tại Kỳ họp lần thứ XXIV, tổ chức ở Thành phố
Hồ Chí Minh cuối năm 2025, Ủy ban Chuyên trách Chính phủ Việt Nam do Thượng tướng Võ Minh Lương, Thứ trưởng Bộ
Quốc phòng, làm Chủ nhiệm; Ủy ban Chuyên trách Chính phủ Campuchia do Đại tướng Pol Saroeun, Cố vấn Chính phủ,
làm Chủ nhiệm. Các tỉnh có Ban Chuyên trách tỉnh: ngày 6 tháng 10 năm 2025, Ban Chuyên trách tỉnh An Giang và
Ban Chuyên trách tỉnh Koh Kong ký biên bản hợp tác mùa khô 2025–2026 tại hội trường tỉnh Koh Kong.</p>
<h2>Các đội tìm kiếm, quy tập mùa khô</h2>
<p>Công tác tìm kiếm diễn ra vào mùa khô, khoảng từ tháng 11 đến tháng 5. Trong mùa khô 2025–2026, Việt Nam
duy trì 11 đội tìm kiếm, quy tập làm nhiệm vụ tại các tỉnh, thành phố của Campuchia. Trong mùa khô 2024–2025,
các đội Việt Nam đã tìm kiếm, quy tập và hồi hương 781 bộ hài cốt.</p>
<p>Hai đội tìm kiếm, quy tập của tỉnh An Giang đã quy tập 4.286 bộ hài cốt tại 6 tỉnh của Campuchia; riêng Đội K92
đã quy tập 160 bộ hài cốt tại tỉnh Koh Kong. Chính quyền, lực lượng vũ trang và nhân dân Koh Kong cung cấp
thông tin, dẫn đường và bảo vệ các đội.</p>
<h2>Thông tin Quý vị cung cấp giúp ích thế nào</h2>
<p>Thông tin về nơi chôn cất ngày càng hạn chế; hai bên khuyến khích người dân cung cấp những gì mình biết.
Một địa danh, một câu chuyện nghe từ cha mẹ, một ngôi mộ từng thấy: mọi chi tiết đều có thể giúp các đội.
Quý vị có thể báo tin mà không cần cho biết tên.</p>
<h2>Các Đài hữu nghị</h2>
<p>Ủy ban Chuyên trách Chính phủ hai nước tiếp tục xây dựng, tu bổ và gìn giữ các Đài hữu nghị Việt Nam–Campuchia tại
Campuchia, quản lý theo quy định của Nhà nước và phong tục Campuchia, và đón tiếp các đoàn đến viếng,
dâng hương.</p>
<h2>Nguồn</h2>
<ul>
<li>Việt Nam News (TTXVN/VNS), bài về Kỳ họp lần thứ XXIV của Ủy ban Chuyên trách Chính phủ hai nước, năm 2025.</li>
<li>Báo chí Việt Nam (TTXVN), bài về lễ ký kết tại Koh Kong ngày 6 tháng 10 năm 2025.</li>
</ul>
""",
    },
    "km": {
        "title": "ការស្វែងរក ប្រមូល និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុ",
        "body": """
<p>វៀតណាម និងកម្ពុជា សហការគ្នាស្វែងរក ប្រមូល និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុកងទ័ពស្ម័គ្រចិត្ត
និងអ្នកជំនាញវៀតណាម ដែលបានពលីជីវិតនៅកម្ពុជា។ ការងារនេះផ្អែកលើកិច្ចព្រមព្រៀងរវាងរដ្ឋាភិបាលវៀតណាម
និងរាជរដ្ឋាភិបាលកម្ពុជា ដែលបានចុះហត្ថលេខានៅរាជធានីភ្នំពេញ នៅថ្ងៃទី២៨ ខែសីហា ឆ្នាំ២០០០។</p>
<h2>គណៈកម្មាធិការពិសេស</h2>
<p>រដ្ឋាភិបាលនីមួយៗ មានគណៈកម្មាធិការពិសេសសម្រាប់ការងារនេះ។ នៅកិច្ចប្រជុំលើកទី២៤
ដែលបានធ្វើឡើងនៅទីក្រុងហូជីមិញ នៅចុងឆ្នាំ២០២៥ គណៈកម្មាធិការវៀតណាមមានប្រធានគឺ លោក វ៉ូ មិញ លឿង
អនុរដ្ឋមន្ត្រីក្រសួងការពារជាតិ ហើយគណៈកម្មាធិការកម្ពុជាមានប្រធានគឺ លោក ពល សារឿន ទីប្រឹក្សារាជរដ្ឋាភិបាល។
ខេត្តនានាក៏មានគណៈកម្មាធិការពិសេសដែរ៖ នៅថ្ងៃទី៦ ខែតុលា ឆ្នាំ២០២៥ គណៈកម្មាធិការពិសេសខេត្តអានយ៉ាង
និងខេត្តកោះកុង បានចុះហត្ថលេខាលើកំណត់ហេតុសហប្រតិបត្តិការ សម្រាប់រដូវប្រាំង ២០២៥–២០២៦
នៅសាលាខេត្តកោះកុង។</p>
<h2>ក្រុមស្វែងរកក្នុងរដូវប្រាំង</h2>
<p>ការស្វែងរកធ្វើឡើងក្នុងរដូវប្រាំង ប្រហែលពីខែវិច្ឆិកា ដល់ខែឧសភា។ ក្នុងរដូវប្រាំង ២០២៥–២០២៦
វៀតណាមមានក្រុមស្វែងរក និងប្រមូលអដ្ឋិធាតុចំនួន ១១ ក្រុម ធ្វើការនៅតាមខេត្ត ក្រុងនានានៃកម្ពុជា។
ក្នុងរដូវប្រាំង ២០២៤–២០២៥ ក្រុមវៀតណាមបានរកឃើញ និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុចំនួន ៧៨១ សព។</p>
<p>ក្រុមស្វែងរកពីរក្រុមរបស់ខេត្តអានយ៉ាង បានប្រមូលអដ្ឋិធាតុចំនួន ៤,២៨៦ សព នៅក្នុងខេត្តចំនួន ៦
នៃកម្ពុជា ហើយក្រុម K92 បានប្រមូលអដ្ឋិធាតុចំនួន ១៦០ សព នៅខេត្តកោះកុង។ អាជ្ញាធរ កងកម្លាំងប្រដាប់អាវុធ
និងប្រជាជនខេត្តកោះកុង ផ្ដល់ព័ត៌មាន នាំផ្លូវ និងការពារក្រុមការងារ។</p>
<h2>ព័ត៌មានដែលលោកអ្នកផ្ដល់ ជួយបានយ៉ាងដូចម្ដេច</h2>
<p>ព័ត៌មានអំពីកន្លែងបញ្ចុះសព កាន់តែមានកម្រិត ហើយភាគីទាំងពីរលើកទឹកចិត្តឱ្យប្រជាជនផ្ដល់ព័ត៌មានដែលខ្លួនដឹង។
ឈ្មោះទីកន្លែងមួយ រឿងដែលបានឮពីឪពុកម្ដាយ ឬផ្នូរដែលធ្លាប់ឃើញ៖ ព័ត៌មានលម្អិតណាមួយ អាចជួយក្រុមការងារបាន។
លោកអ្នកអាចផ្ដល់ព័ត៌មានដោយមិនចាំបាច់ប្រាប់ឈ្មោះ។</p>
<h2>វិមានមិត្តភាព</h2>
<p>គណៈកម្មាធិការទាំងពីរ បន្តកសាង ជួសជុល និងថែរក្សាវិមានមិត្តភាពកម្ពុជា-វៀតណាម នៅកម្ពុជា
គ្រប់គ្រងតាមច្បាប់របស់រដ្ឋ និងទំនៀមទម្លាប់កម្ពុជា ហើយទទួលគណៈប្រតិភូដែលមកគោរពវិញ្ញាណក្ខន្ធ។</p>
<h2>ប្រភព</h2>
<ul>
<li>Việt Nam News (VNA/VNS) អត្ថបទអំពីកិច្ចប្រជុំលើកទី២៤ នៃគណៈកម្មាធិការពិសេស ឆ្នាំ២០២៥។</li>
<li>សារព័ត៌មានវៀតណាម (TTXVN) អត្ថបទអំពីពិធីចុះហត្ថលេខានៅខេត្តកោះកុង ថ្ងៃទី៦ ខែតុលា ឆ្នាំ២០២៥។</li>
</ul>
""",
    },
}

HELP = {
    "en": {
        "title": "Asking about a relative",
        "body": """
<p>If someone in your family fell in Cambodia and you want to know whether their remains have been found,
ask through the official Vietnamese channels: the specialised committee for the search and repatriation of
remains, and the military command, of the province in Việt Nam where you live. Provinces have their own
specialised committees, and teams of the provincial military commands do the search work in Cambodia (Vietnamese
press, TTXVN, report on the An Giang and Koh Kong signing ceremony, 2025).</p>
<h2>What to bring</h2>
<ul>
<li>the full name, year of birth and home town of the person you are looking for;</li>
<li>their unit, and when and where they died, as far as you know;</li>
<li>letters, photos, the death notice or any other paper the family keeps.</li>
</ul>
<h2>What this portal can and cannot do</h2>
<p>This portal does not hold lists of names of the fallen and cannot tell you whether a person has been found.
If you know where soldiers were buried in Cambodia, you can report it here, with or without your name: a
moderator passes checked information to the search teams.</p>
""",
    },
    "vi": {
        "title": "Hỏi thông tin về người thân",
        "body": """
<p>Nếu gia đình Quý vị có người thân hy sinh tại Campuchia và Quý vị muốn biết hài cốt đã được tìm thấy hay
chưa, xin hỏi qua các kênh chính thức của Việt Nam: Ban Chuyên trách tỉnh về tìm kiếm, quy tập hài cốt liệt sĩ
và Bộ Chỉ huy Quân sự tỉnh nơi Quý vị sinh sống. Mỗi tỉnh có Ban Chuyên trách tỉnh riêng, và các đội tìm
kiếm, quy tập của Bộ Chỉ huy Quân sự tỉnh làm nhiệm vụ tại Campuchia (TTXVN, bài về lễ ký kết giữa An Giang và Koh
Kong, năm 2025).</p>
<h2>Quý vị cần mang theo gì</h2>
<ul>
<li>họ tên, năm sinh và quê quán của liệt sĩ mà Quý vị đang tìm;</li>
<li>đơn vị, thời gian và nơi hy sinh, theo những gì Quý vị biết;</li>
<li>thư từ, ảnh, giấy báo tử hoặc giấy tờ khác gia đình còn giữ.</li>
</ul>
<h2>Cổng thông tin này làm được gì</h2>
<p>Cổng thông tin không lưu danh sách liệt sĩ và không thể cho Quý vị biết một người đã được tìm thấy hay
chưa. Nếu Quý vị biết nơi chôn cất bộ đội tại Campuchia, Quý vị có thể báo tin tại đây, có hoặc không kèm tên:
người kiểm duyệt sẽ chuyển thông tin đã xác minh cho các đội tìm kiếm, quy tập.</p>
""",
    },
    "km": {
        "title": "ការសាកសួរអំពីសាច់ញាតិ",
        "body": """
<p>ប្រសិនបើក្នុងគ្រួសាររបស់លោកអ្នក មានអ្នកដែលបានពលីជីវិតនៅកម្ពុជា ហើយលោកអ្នកចង់ដឹងថា តើអដ្ឋិធាតុរបស់គាត់
ត្រូវបានរកឃើញហើយឬនៅ សូមសាកសួរតាមបណ្ដាញផ្លូវការរបស់វៀតណាម៖ គណៈកម្មាធិការពិសេសស្វែងរក
និងប្រមូលអដ្ឋិធាតុ និងបញ្ជាការដ្ឋានយោធា នៃខេត្តនៅវៀតណាមដែលលោកអ្នករស់នៅ។
ខេត្តនានាមានគណៈកម្មាធិការពិសេសរបស់ខ្លួន ហើយក្រុមរបស់បញ្ជាការដ្ឋានយោធាខេត្ត ធ្វើការស្វែងរកនៅកម្ពុជា
(TTXVN អត្ថបទអំពីពិធីចុះហត្ថលេខារវាងខេត្តអានយ៉ាង និងខេត្តកោះកុង ឆ្នាំ២០២៥)។</p>
<h2>អ្វីដែលត្រូវយកមកជាមួយ</h2>
<ul>
<li>ឈ្មោះពេញ ឆ្នាំកំណើត និងស្រុកកំណើតរបស់អ្នកដែលលោកអ្នកកំពុងស្វែងរក។</li>
<li>អង្គភាព ពេលវេលា និងទីកន្លែងដែលគាត់បានពលីជីវិត តាមដែលលោកអ្នកដឹង។</li>
<li>សំបុត្រ រូបថត លិខិតជូនដំណឹងមរណភាព ឬឯកសារផ្សេងទៀតដែលគ្រួសាររក្សាទុក។</li>
</ul>
<h2>អ្វីដែលវិបផតថលនេះអាចធ្វើបាន</h2>
<p>វិបផតថលនេះ មិនរក្សាបញ្ជីឈ្មោះអ្នកពលីជីវិតទេ ហើយមិនអាចប្រាប់លោកអ្នកថា មនុស្សម្នាក់ត្រូវបានរកឃើញឬនៅទេ។
ប្រសិនបើលោកអ្នកដឹងពីកន្លែងដែលទាហានត្រូវបានបញ្ចុះនៅកម្ពុជា លោកអ្នកអាចផ្ដល់ព័ត៌មាននៅទីនេះ ដោយប្រាប់
ឬមិនប្រាប់ឈ្មោះ៖ អ្នកត្រួតពិនិត្យនឹងបញ្ជូនព័ត៌មានដែលបានផ្ទៀងផ្ទាត់ ទៅក្រុមស្វែងរក។</p>
""",
    },
}


def _load_pages(session: Session) -> int:
    existing = set(session.scalars(select(Page.slug)).all())
    added = 0
    for slug, texts in ((REPATRIATION_PAGE, REPATRIATION), (HELP_PAGE, HELP)):
        if slug not in existing:
            save_page(session, None, slug=slug, texts=texts)
            added += 1
    return added


# season, province, metric, unit, value, source, labels (en, vi, km)
FIGURES: tuple[tuple[str | None, str | None, str, str, int, tuple[str, str, int], dict[str, str]], ...] = (
    ("2024-2025", None, "remains_repatriated", "sets", 781, SOURCE_1, {
        "en": "Sets of remains located and repatriated by Vietnamese teams",
        "vi": "Số bộ hài cốt các đội Việt Nam tìm kiếm, quy tập và hồi hương",
        "km": "អដ្ឋិធាតុ (សព) ដែលក្រុមវៀតណាមបានរកឃើញ និងធ្វើមាតុភូមិនិវត្តន៍",
    }),
    ("2024-2025", "09", "remains_found", "sets", 2, SOURCE_2, {
        "en": "Sets of remains found in Koh Kong",
        "vi": "Số bộ hài cốt tìm thấy tại tỉnh Koh Kong",
        "km": "អដ្ឋិធាតុ (សព) ដែលបានរកឃើញនៅខេត្តកោះកុង",
    }),
    ("2025-2026", None, "search_teams", "teams", 11, SOURCE_1, {
        "en": "Vietnamese search and collection teams working across Cambodia",
        "vi": "Số đội tìm kiếm, quy tập của Việt Nam làm nhiệm vụ tại Campuchia",
        "km": "ក្រុមស្វែងរក និងប្រមូលអដ្ឋិធាតុរបស់វៀតណាម ដែលធ្វើការនៅកម្ពុជា",
    }),
    (None, None, "remains_collected_all_time", "sets", 4286, SOURCE_2, {
        "en": "Sets of remains collected by An Giang province's two search teams in 6 Cambodian provinces",
        "vi": "Số bộ hài cốt hai đội tìm kiếm, quy tập của tỉnh An Giang đã quy tập tại 6 tỉnh của Campuchia",
        "km": "អដ្ឋិធាតុ (សព) ដែលក្រុមស្វែងរកពីរក្រុមរបស់ខេត្តអានយ៉ាង បានប្រមូលនៅក្នុងខេត្តចំនួន ៦ នៃកម្ពុជា",
    }),
    (None, "09", "remains_collected_all_time", "sets", 160, SOURCE_2, {
        "en": "Sets of remains collected in Koh Kong by Team K92 (An Giang provincial military command)",
        "vi": "Số bộ hài cốt Đội K92 (Bộ Chỉ huy Quân sự tỉnh An Giang) đã quy tập tại Koh Kong",
        "km": "អដ្ឋិធាតុ (សព) ដែលក្រុម K92 (បញ្ជាការដ្ឋានយោធាខេត្តអានយ៉ាង) បានប្រមូលនៅខេត្តកោះកុង",
    }),
)


def _load_figures(session: Session) -> int:
    existing = {(f.season, f.province_code, f.metric, f.source_title)
                for f in session.scalars(select(Figure)).all()}
    added = 0
    for season, province, metric, unit, value, source, labels in FIGURES:
        if (season, province, metric, source[1]) in existing:
            continue
        save_figure(session, None, season=season, province_code=province, metric=metric, unit=unit,
                    value=value, source_publisher=source[0], source_title=source[1], source_year=source[2],
                    texts=_with_source_titles({lang: {"label": label} for lang, label in labels.items()}, source))
        added += 1
    return added


NEWS = (
    ("an-giang-koh-kong-sign-phase-25", SOURCE_2, {
        "en": {
            "title": "An Giang and Koh Kong sign their cooperation minutes for the 2025–2026 dry season",
            "summary": "The two provinces' specialised committees agreed on phase 25 of the search, collection "
                       "and repatriation of remains in Koh Kong.",
            "body": """
<p>On 6 October 2025, at the Koh Kong provincial hall, the specialised committees of An Giang province (Việt Nam)
and Koh Kong province (Cambodia) signed their cooperation minutes for the search, collection and repatriation
of remains in Koh Kong: phase 25, in the 2025–2026 dry season.</p>
<p>The ceremony was co-chaired by Lê Trung Hồ, vice-chairman of An Giang People's Committee and head of its
specialised committee, and Hak Leng, deputy governor of Koh Kong and head of its specialised committee. The
work rests on the agreement signed by the two governments in Phnom Penh on 28 August 2000.</p>
<p>An Giang's two search teams have collected 4,286 sets of remains in 6 Cambodian provinces. In Koh Kong,
Team K92 of An Giang's provincial military command has collected 160 sets; 2 sets were found there in the
2024–2025 dry season. Koh Kong's authorities, armed forces and people provide information, guide the teams
and protect them.</p>
""",
        },
        "vi": {
            "title": "An Giang và Koh Kong ký biên bản hợp tác mùa khô 2025–2026",
            "summary": "Ban Chuyên trách tỉnh An Giang và tỉnh Koh Kong thống nhất giai đoạn 25 của công tác "
                       "tìm kiếm, quy tập và "
                       "hồi hương hài cốt tại Koh Kong.",
            "body": """
<p>Ngày 6 tháng 10 năm 2025, tại hội trường tỉnh Koh Kong, Ban Chuyên trách tỉnh An Giang (Việt Nam) và Ban
Chuyên trách tỉnh Koh Kong (Campuchia) đã ký biên bản hợp tác tìm kiếm, quy tập và hồi hương hài cốt tại Koh Kong,
giai đoạn 25,
mùa khô 2025–2026.</p>
<p>Đồng chủ trì buổi lễ là ông Lê Trung Hồ, Phó Chủ tịch UBND tỉnh An Giang, Trưởng Ban Chuyên trách tỉnh, và
ông Hak Leng, Phó Tỉnh trưởng Koh Kong, Trưởng Ban Chuyên trách tỉnh Koh Kong. Cơ sở của công tác này là Hiệp
định giữa hai Chính phủ ký tại Phnôm Pênh ngày 28 tháng 8 năm 2000.</p>
<p>Hai đội tìm kiếm, quy tập của An Giang đã quy tập 4.286 bộ hài cốt tại 6 tỉnh của Campuchia. Tại Koh Kong, Đội K92
(Bộ Chỉ huy Quân sự tỉnh An Giang) đã quy tập 160 bộ hài cốt; trong mùa khô 2024–2025 đã tìm thấy 2 bộ.
Chính quyền, lực lượng vũ trang và nhân dân Koh Kong cung cấp thông tin, dẫn đường và bảo vệ các đội.</p>
""",
        },
        "km": {
            "title": "ខេត្តអានយ៉ាង និងខេត្តកោះកុង ចុះហត្ថលេខាលើកំណត់ហេតុសហប្រតិបត្តិការ សម្រាប់រដូវប្រាំង ២០២៥–២០២៦",
            "summary": "គណៈកម្មាធិការពិសេសនៃខេត្តទាំងពីរ បានឯកភាពលើដំណាក់កាលទី២៥ នៃការស្វែងរក ប្រមូល "
                       "និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុនៅខេត្តកោះកុង។",
            "body": """
<p>នៅថ្ងៃទី៦ ខែតុលា ឆ្នាំ២០២៥ នៅសាលាខេត្តកោះកុង គណៈកម្មាធិការពិសេសខេត្តអានយ៉ាង (វៀតណាម)
និងខេត្តកោះកុង (កម្ពុជា) បានចុះហត្ថលេខាលើកំណត់ហេតុសហប្រតិបត្តិការ ស្វែងរក ប្រមូល
និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុនៅខេត្តកោះកុង ដំណាក់កាលទី២៥ រដូវប្រាំង ២០២៥–២០២៦។</p>
<p>ពិធីនេះដឹកនាំរួមដោយ លោក លេ ទ្រុង ហូ អនុប្រធានគណៈកម្មាធិការប្រជាជនខេត្តអានយ៉ាង
និងជាប្រធានគណៈកម្មាធិការពិសេសខេត្ត និងលោក ហាក់ ឡេង អភិបាលរងខេត្តកោះកុង
និងជាប្រធានគណៈកម្មាធិការពិសេសខេត្តកោះកុង។ ការងារនេះផ្អែកលើកិច្ចព្រមព្រៀង
ដែលរដ្ឋាភិបាលទាំងពីរបានចុះហត្ថលេខានៅរាជធានីភ្នំពេញ នៅថ្ងៃទី២៨ ខែសីហា ឆ្នាំ២០០០។</p>
<p>ក្រុមស្វែងរកពីរក្រុមរបស់ខេត្តអានយ៉ាង បានប្រមូលអដ្ឋិធាតុចំនួន ៤,២៨៦ សព នៅក្នុងខេត្តចំនួន ៦ នៃកម្ពុជា។
នៅខេត្តកោះកុង ក្រុម K92 នៃបញ្ជាការដ្ឋានយោធាខេត្តអានយ៉ាង បានប្រមូលអដ្ឋិធាតុចំនួន ១៦០ សព ហើយក្នុងរដូវប្រាំង
២០២៤–២០២៥ បានរកឃើញ ២ សព។ អាជ្ញាធរ កងកម្លាំងប្រដាប់អាវុធ និងប្រជាជនខេត្តកោះកុង ផ្ដល់ព័ត៌មាន នាំផ្លូវ
និងការពារក្រុមការងារ។</p>
""",
        },
    }),
    ("24th-meeting-specialised-committees", SOURCE_1, {
        "en": {
            "title": "Specialised committees hold their 24th meeting before the 2025–2026 dry season",
            "summary": "Vietnamese teams repatriated 781 sets of remains in the 2024–2025 dry season; 11 teams "
                       "are at work in the 2025–2026 dry season.",
            "body": """
<p>The Vietnamese and Cambodian governments' specialised committees for the search and repatriation of remains
held their 24th meeting in Hồ Chí Minh City in late 2025, before the 2025–2026 dry season. It was co-chaired by
Senior Lieutenant General Võ Minh Lương, Deputy Minister of National Defence and chairman of Việt Nam's
committee, and General Pol Saroeun, Government Adviser and chairman of Cambodia's committee.</p>
<p>In the 2024–2025 dry season, Vietnamese teams located and repatriated 781 sets of remains. In the 2025–2026
dry season Việt Nam keeps 11 search and collection teams working across Cambodian provinces and cities.</p>
<p>Information on burial sites is increasingly limited, and both sides encourage people to come forward with
information. The committees will keep building, repairing and preserving the Việt Nam–Cambodia Friendship
Monuments, and Việt Nam's government presented its financial support for 2025 to Cambodia's committee.</p>
""",
        },
        "vi": {
            "title": "Kỳ họp lần thứ XXIV của Ủy ban Chuyên trách Chính phủ hai nước trước mùa khô 2025–2026",
            "summary": "Mùa khô 2024–2025, các đội Việt Nam đã hồi hương 781 bộ hài cốt; mùa khô 2025–2026 có "
                       "11 đội tìm kiếm, quy tập làm nhiệm vụ.",
            "body": """
<p>Ủy ban Chuyên trách Chính phủ Việt Nam và Ủy ban Chuyên trách Chính phủ Campuchia về tìm kiếm, quy tập và
hồi hương hài cốt liệt sĩ quân tình nguyện và chuyên gia Việt Nam đã tiến hành Kỳ họp lần thứ XXIV tại Thành phố
Hồ Chí Minh cuối năm 2025, trước mùa khô 2025–2026. Đồng chủ trì là Thượng tướng Võ Minh Lương, Thứ trưởng Bộ
Quốc phòng, Chủ nhiệm Ủy ban Chuyên trách Chính phủ Việt Nam, và Đại tướng Pol Saroeun, Cố vấn Chính phủ, Chủ
nhiệm Ủy ban Chuyên trách Chính phủ Campuchia.</p>
<p>Trong mùa khô 2024–2025, các đội Việt Nam đã tìm kiếm, quy tập và hồi hương 781 bộ hài cốt. Trong mùa khô
2025–2026, Việt Nam duy trì 11 đội tìm kiếm, quy tập tại các tỉnh, thành phố của Campuchia.</p>
<p>Thông tin về nơi chôn cất ngày càng hạn chế; hai bên khuyến khích người dân cung cấp thông tin. Ủy ban
Chuyên trách Chính phủ hai nước sẽ tiếp tục xây dựng, tu bổ và gìn giữ các Đài hữu nghị Việt Nam–Campuchia; Chính phủ
Việt Nam
đã trao khoản hỗ trợ tài chính năm 2025 cho Ủy ban Chuyên trách Chính phủ Campuchia.</p>
""",
        },
        "km": {
            "title": "កិច្ចប្រជុំលើកទី២៤ នៃគណៈកម្មាធិការពិសេស មុនរដូវប្រាំង ២០២៥–២០២៦",
            "summary": "ក្នុងរដូវប្រាំង ២០២៤–២០២៥ ក្រុមវៀតណាមបានធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុចំនួន ៧៨១ សព "
                       "ហើយក្នុងរដូវប្រាំង ២០២៥–២០២៦ មានក្រុមចំនួន ១១ កំពុងធ្វើការ។",
            "body": """
<p>គណៈកម្មាធិការពិសេសនៃរដ្ឋាភិបាលវៀតណាម និងកម្ពុជា ទទួលបន្ទុកស្វែងរក និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុ
បានបើកកិច្ចប្រជុំលើកទី២៤ នៅទីក្រុងហូជីមិញ នៅចុងឆ្នាំ២០២៥ មុនរដូវប្រាំង ២០២៥–២០២៦។
កិច្ចប្រជុំនេះដឹកនាំរួមដោយ លោក វ៉ូ មិញ លឿង អនុរដ្ឋមន្ត្រីក្រសួងការពារជាតិ ប្រធានគណៈកម្មាធិការវៀតណាម
និងលោក ពល សារឿន ទីប្រឹក្សារាជរដ្ឋាភិបាល ប្រធានគណៈកម្មាធិការកម្ពុជា។</p>
<p>ក្នុងរដូវប្រាំង ២០២៤–២០២៥ ក្រុមវៀតណាមបានរកឃើញ និងធ្វើមាតុភូមិនិវត្តន៍អដ្ឋិធាតុចំនួន ៧៨១ សព។
ក្នុងរដូវប្រាំង ២០២៥–២០២៦ វៀតណាមមានក្រុមស្វែងរក និងប្រមូលអដ្ឋិធាតុចំនួន ១១ ក្រុម
ធ្វើការនៅតាមខេត្ត ក្រុងនានានៃកម្ពុជា។</p>
<p>ព័ត៌មានអំពីកន្លែងបញ្ចុះសព កាន់តែមានកម្រិត ហើយភាគីទាំងពីរលើកទឹកចិត្តឱ្យប្រជាជនផ្ដល់ព័ត៌មាន។
គណៈកម្មាធិការនឹងបន្តកសាង ជួសជុល និងថែរក្សាវិមានមិត្តភាពកម្ពុជា-វៀតណាម ហើយរដ្ឋាភិបាលវៀតណាម
បានប្រគល់ជំនួយហិរញ្ញវត្ថុឆ្នាំ២០២៥ ជូនគណៈកម្មាធិការកម្ពុជា។</p>
""",
        },
    }),
)


def _load_news(session: Session) -> int:
    existing = set(session.scalars(select(NewsItem.slug)).all())
    today = datetime.now(UTC).date()
    added = 0
    for slug, source, texts in NEWS:
        if slug in existing:
            continue
        # The date the item appears on the portal; the event's own date is in its text.
        save_news(session, None, slug=slug, published_on=today, source_publisher=source[0],
                  source_title=source[1], source_year=source[2], texts=_with_source_titles(texts, source))
        added += 1
    return added


def load_demo_content(session: Session) -> str:
    """The repatriation and help pages, cited figures and news; skips what exists."""
    pages = _load_pages(session)
    figures = _load_figures(session)
    news = _load_news(session)
    return f"Content: {pages} pages, {figures} cited figures, {news} news items added."
