"""Demo competitions, run through the real services: one decided by its commission and one in progress.

The decided one goes the whole way: applications and HR's eligibility checks (one applicant refused), the
legislation test and the competency assessment sat through the exam service (one applicant fails the test, one
is cut by the top-5 hurdle), a commission with a non-voting secretary, declarations (one conflict of interest),
blind interview scoring with evidence notes, a moderation round, and the chair's final session with its
protocol. The one in progress is taking applications, some checked and some waiting; the three demo candidates
have applied, so they see a timeline when they sign in.

Timing. Applications and eligibility checks are dated days back (the services take `now`), but the decided
competition's applications close a minute or two after the demo starts: a running server's pipeline moves a
competition whose applications have closed into testing, and would refuse the applications still being filed.
The tests are sat in the last hour, not days back, so no attempt is ever overdue while it is being answered
(a running server's sweeper would close it); testing closes, the interviews run and the final session is held
in the few minutes after the applications close.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select

from question_bank.assembly import form_from_json
from recruit.accounts.iin import check_digit
from recruit.accounts.models import User
from recruit.accounts.service import CurrentUser, Registration, create_user, current_user
from recruit.audit.service import SYSTEM
from recruit.bank.models import AssembledForm
from recruit.bank.service import items_by_version
from recruit.competitions import commission, interviews, protocols, service
from recruit.competitions.models import Application, Competition, Interview
from recruit.db import Database, utcnow
from recruit.exams import service as exams
from recruit.exams.models import Attempt

DECIDED_TITLE = "Главный эксперт Юридического департамента (demo)"
OPEN_TITLE = "Эксперт Департамента контроля качества государственных услуг (demo)"
PLACE = "Астана қ., Мәңгілік Ел даңғылы, 8, Министрліктер үйі, 301-кабинет"   # the chair writes in Kazakh
HALL = "Астана, Мәңгілік Ел 8, зал 1"
LEGISLATION_SITTING = "Тестирование на знание законодательства, конкурс АДГС, Астана, зал 1 (demo)"
COMPETENCY_SITTING = "Оценка личных качеств, конкурс АДГС, Астана, зал 1 (demo)"

DECIDED_REQUIREMENTS = {
    "ru": "Образование: высшее (юриспруденция, международное право). Опыт работы: не менее двух лет стажа "
          "государственной службы либо не менее трёх лет работы в областях, соответствующих функциональным "
          "направлениям должности. Знание законодательства о государственной службе, о правовых актах, о "
          "противодействии коррупции; навыки подготовки правовых заключений и проектов нормативных правовых актов.",
    "kk": "Білімі: жоғары (құқықтану, халықаралық құқық). Жұмыс тәжірибесі: кемінде екі жыл мемлекеттік қызмет "
          "өтілі не лауазымның функционалдық бағыттарына сәйкес салаларда кемінде үш жыл жұмыс өтілі. Мемлекеттік "
          "қызмет, құқықтық актілер, сыбайлас жемқорлыққа қарсы іс-қимыл туралы заңнаманы білу; құқықтық "
          "қорытындылар мен нормативтік құқықтық актілердің жобаларын дайындау дағдылары.",
    "en": "Education: higher (law, international law). Experience: at least two years in the civil service or at "
          "least three years in fields matching the post's functions. Knowledge of the law on the civil service, on "
          "legal acts and on combating corruption; skill in drafting legal opinions and draft regulations.",
}
OPEN_REQUIREMENTS = {
    "ru": "Образование: высшее (государственное и местное управление, экономика, юриспруденция, информационные "
          "системы). Опыт работы: не менее одного года стажа государственной службы либо не менее двух лет работы "
          "в областях, соответствующих функциональным направлениям должности. Знание Закона «О государственных "
          "услугах» и Административного процедурно-процессуального кодекса.",
    "kk": "Білімі: жоғары (мемлекеттік және жергілікті басқару, экономика, құқықтану, ақпараттық жүйелер). Жұмыс "
          "тәжірибесі: кемінде бір жыл мемлекеттік қызмет өтілі не лауазымның функционалдық бағыттарына сәйкес "
          "салаларда кемінде екі жыл жұмыс өтілі. «Мемлекеттік көрсетілетін қызметтер туралы» Заңды және Әкімшілік "
          "рәсімдік-процестік кодексті білу.",
    "en": "Education: higher (public administration, economics, law, information systems). Experience: at least one "
          "year in the civil service or at least two years in fields matching the post's functions. Knowledge of the "
          "Law on Public Services and of the Administrative Procedure Code.",
}


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    language: str
    born: date | None = None           # candidates: the IIN is made from birth date, sex and a serial
    female: bool = False
    region_code: str = ""
    roles: tuple[str, ...] = ("candidate",)


# The standing competition commission of the Agency (the chair is the demo commission member).
CHAIR = "commission@merit.demo"
MEMBERS = (
    Person("commission2@merit.demo", "Гүлнар Әбдірахманова", "kk", roles=("commission_member",)),
    Person("commission3@merit.demo", "Сергей Литвиненко", "ru", roles=("commission_member",)),
    Person("commission4@merit.demo", "Бахытжан Ибраев", "kk", roles=("commission_member",)),
    Person("commission5@merit.demo", "Наталья Ковалёва", "ru", roles=("commission_member",)),
)
SECRETARY = Person("commission6@merit.demo", "Айнұр Төлеуова", "kk", roles=("commission_member",))


@dataclass(frozen=True)
class Applicant:
    person: Person
    details: dict[str, Any]
    applied_hours: int                       # after the announcement
    eligible: bool | None                    # None: HR has not checked the application yet
    reason: str
    right: int | None = None                 # right answers of 55 on the legislation test
    agreement: float | None = None           # mean agreement (1-5) on the competency assessment
    interview: str | None = None             # key into INTERVIEWS


def _p(n: int, name: str, language: str, born: date, female: bool, region: str) -> Person:
    return Person(f"applicant{n:02d}@merit.demo", name, language, born, female, region)


DECIDED = (
    Applicant(_p(1, "Жандос Мұратов", "kk", date(1991, 4, 12), False, "KZ-71"), {
        "education": "Л.Н. Гумилев атындағы Еуразия ұлттық университеті, құқықтану (2012), магистратура (2014)",
        "experience_years": 9,
        "statement": "Әділет министрлігінің Заңнама департаментінде алты жыл жұмыс істедім, нормативтік құқықтық "
                     "актілердің жобаларына құқықтық сараптама жасаймын. Тәжірибемді Агенттіктің заң жұмысында "
                     "пайдаланғым келеді."},
        2, True, "Соответствует квалификационным требованиям: высшее юридическое образование (ЕНУ им. Л.Н. Гумилева, "
                 "магистратура), стаж государственной службы 6 лет.",
        right=49, agreement=4.3, interview="muratov"),
    Applicant(_p(2, "Алина Воронцова", "ru", date(1994, 9, 3), True, "KZ-71"), {
        "education": "Университет КАЗГЮУ имени М.С. Нарикбаева, юриспруденция, 2015",
        "experience_years": 8,
        "statement": "Пять лет юрисконсульт АО «Казпочта», три года главный специалист юридического отдела акимата "
                     "района Байконыр г. Астаны: претензионно-исковая работа, правовая экспертиза договоров."},
        26, True, "Соответствует квалификационным требованиям: высшее юридическое образование (КАЗГЮУ), стаж "
                  "государственной службы 3 года, общий стаж по специальности 8 лет.",
        right=45, agreement=4.0, interview="vorontsova"),
    Applicant(_p(3, "Ерболат Тілеубаев", "kk", date(1989, 11, 27), False, "KZ-11"), {
        "education": "Кокшетауский университет им. Ш. Уалиханова, юриспруденция, 2011",
        "experience_years": 11,
        "statement": "Руководил группой юристов в акимате Зерендинского района Акмолинской области, готовил "
                     "заключения на проекты решений акима и маслихата."},
        29, True, "Соответствует квалификационным требованиям: высшее юридическое образование, стаж государственной "
                  "службы 11 лет (акимат Зерендинского района).",
        right=51, agreement=3.9, interview="tileubayev"),
    Applicant(_p(4, "Светлана Шевченко", "ru", date(1990, 6, 18), True, "KZ-71"), {
        "education": "Карагандинский университет им. Е.А. Букетова, юриспруденция, 2012",
        "experience_years": 10,
        "statement": "Работала юристом в ЦОН г. Астаны и в НАО «Правительство для граждан», знаю стандарты "
                     "государственных услуг и порядок рассмотрения жалоб."},
        50, True, "Соответствует квалификационным требованиям: высшее юридическое образование (КарГУ), стаж работы "
                  "по специальности 10 лет.",
        right=41, agreement=3.7, interview="shevchenko"),
    Applicant(_p(5, "Мадина Жұмабаева", "kk", date(1996, 2, 9), True, "KZ-71"), {
        "education": "Әл-Фараби атындағы Қазақ ұлттық университеті, халықаралық құқық, 2018",
        "experience_years": 3,
        "statement": "Жеке заң фирмасында үш жыл көмекші заңгер болдым, шарттар жасаумен және сот ісін жүргізумен "
                     "айналыстым."},
        75, True, "Соответствует квалификационным требованиям: высшее образование по специальности «Международное "
                  "право» (КазНУ им. аль-Фараби), стаж работы по специальности 3 года.",
        right=38, agreement=3.8, interview="zhumabayeva"),
    Applicant(_p(6, "Арман Сейдахметов", "ru", date(1993, 8, 21), False, "KZ-15"), {
        "education": "Актюбинский региональный университет им. К. Жубанова, юриспруденция, 2014",
        "experience_years": 7,
        "statement": "Главный специалист юридического отдела управления земельных отношений Актюбинской области."},
        98, True, "Соответствует квалификационным требованиям: высшее юридическое образование, стаж государственной "
                  "службы 7 лет.",
        right=43, agreement=3.0),
    Applicant(_p(7, "Руслан Абдрахманов", "ru", date(1992, 12, 5), False, "KZ-71"), {
        "education": "Евразийский гуманитарный институт, юриспруденция, 2015",
        "experience_years": 5,
        "statement": "Юрист ТОО «Астана Құрылыс Сервис», договорная работа и представительство в суде."},
        120, True, "Соответствует квалификационным требованиям: высшее юридическое образование, стаж работы по "
                   "специальности 5 лет.",
        right=24),
    Applicant(_p(8, "Тимур Исмаилов", "ru", date(1998, 3, 30), False, "KZ-75"), {
        "education": "Алматинский университет энергетики и связи, экономика, 2020",
        "experience_years": 1,
        "statement": "Специалист отдела закупок, хочу развиваться в правовой сфере."},
        170, False, "Не соответствует квалификационным требованиям: высшее образование по специальности «Экономика», "
                    "юридического образования нет; стаж работы 1 год при требуемых не менее трёх лет.",
    ),
)

# Interview scoring: per competency, the level from each voting member (chair, commission2..commission5; None
# for the member who declared a conflict), and what the applicant said, noted in the interview's language.
INTERVIEWS: dict[str, tuple[str, dict[str, tuple[tuple[int | None, ...], str]]]] = {
    "muratov": ("kk", {
        "decision_making": ((5, 4, 5, 4, 5), "Заң жобасына қорытынды дайындағанда үш департаменттің ұстанымы "
                            "қайшы болған; нормалардың сәйкессіздігін өзі талдап, нұсқасын негіздеп ұсынған, шешімнің "
                            "салдарын бағалаған."),
        "service_orientation": ((4, 4, 5, 4, 4), "Азаматтардың өтініштеріне жауап беру мерзімін 15 күннен 7 күнге "
                                "қысқартуды ұсынған, жауап үлгілерін қарапайым тілмен қайта жазған."),
        "cooperation": ((5, 5, 4, 4, 5), "Министрліктер арасындағы жұмыс тобындағы келіспеушілікті бірлескен кеңес "
                        "ұйымдастырып шешкен; әріптестерінің үлесін атап өтті."),
        "responsibility": ((5, 4, 4, 5, 5), "Өз қатесін (норманың ескірген редакциясына сілтеме) өзі тауып, басшыға "
                           "дереу хабарлаған және түзеткен."),
        "integrity": ((5, 5, 5, 4, 5), "Таныстарының өтінішімен құжатты кезектен тыс қарау ұсынысынан бас тартып, "
                      "бұл туралы басшысына хабарлағанын айтты."),
    }),
    "vorontsova": ("ru", {
        "decision_making": ((4, 4, 4, 3, 4), "В отсутствие руководителя сама приняла решение отозвать исковое заявление "
                            "с ошибкой в расчёте неустойки, затем согласовала; последствия оценила."),
        "service_orientation": ((4, 5, 4, 4, 4), "Привела пример разъяснения заявителю порядка обжалования простым "
                                "языком; предложила памятку для граждан."),
        "cooperation": ((4, 4, 3, 4, 4), "Ведёт претензионную работу вместе с бухгалтерией, делится шаблонами "
                        "документов с коллегами."),
        "responsibility": ((4, 4, 4, 4, 5), "Сроки по судебным делам ведёт в собственном реестре, за три года ни одного "
                           "пропущенного срока; свои ошибки признаёт."),
        "integrity": ((4, 4, 4, 4, 4), "На ситуационный вопрос о подарке от контрагента ответила чётко, со ссылкой на "
                      "Закон «О противодействии коррупции»."),
    }),
    "tileubayev": ("ru", {
        "decision_making": ((4, 4, 3, 4, 1), "Рассказал, что сам отказал в согласовании проекта договора из-за "
                            "несоответствия Гражданскому кодексу, но перед этим советовался с руководителем."),
        "service_orientation": ((3, 4, 3, 4, 3), "Опыт работы с заявителями небольшой; ответы общие, конкретного "
                                "примера не привёл."),
        "cooperation": ((4, 4, 4, 3, 4), "Координировал группу из трёх юристов в акимате района, умеет распределять "
                        "задачи и сроки."),
        "responsibility": ((3, 4, 3, 3, 4), "Привёл случай срыва срока по поручению, причину объяснил внешними "
                           "факторами."),
        "integrity": ((4, 4, 4, 4, 4), "Правильно ответил на вопрос о конфликте интересов, знает нормы Этического "
                      "кодекса государственных служащих."),
    }),
    "shevchenko": ("ru", {
        "decision_making": ((3, 3, 4, 3, 3), "Решения принимает в рамках инструкций; пример самостоятельного решения "
                            "привела только после уточняющего вопроса."),
        "service_orientation": ((3, 3, 3, 4, 3), "Работала в ЦОН, знает стандарты государственных услуг; разобрала "
                                "жалобу заявителя на отказ в услуге."),
        "cooperation": ((3, 4, 3, 3, 3), "Описала работу в проектной группе, но её роль сводилась к исполнению "
                        "поручений."),
        "responsibility": ((3, 3, 3, 3, 4), "Готова отвечать за результат: привела пример доработки документа в "
                           "выходной день по собственной инициативе."),
        "integrity": ((4, 3, 3, 3, 3), "Уверенно ответила на вопросы об ограничениях, связанных с пребыванием на "
                      "государственной службе."),
    }),
    "zhumabayeva": ("kk", {
        "decision_making": ((3, 2, 3, None, 2), "Шешімдерді негізінен басшының нұсқауымен қабылдайды; өз бастамасымен "
                            "шешім қабылдаған мысал келтіре алмады."),
        "service_orientation": ((2, 3, 2, None, 3), "Көрсетілетін қызметті алушыға бағдарлану туралы жалпы сөздермен "
                                "жауап берді, нақты жағдай сипатталмады."),
        "cooperation": ((3, 3, 3, None, 2), "Студенттік жобадағы топтық жұмысты айтты; кәсіби ортадан мысал жоқ."),
        "responsibility": ((2, 3, 2, None, 3), "Қате жібергенде не істейтіні туралы сұраққа нақты жауап бермеді."),
        "integrity": ((3, 3, 3, None, 3), "Сыйлық пен мүдделер қақтығысы туралы нормаларды жалпы түрде біледі."),
    }),
}
VERDICTS = {
    "ru": {5: ("Полностью соответствует уровню 5.", "Уровень 5: пример самостоятельный, результат измерим.", "Оценка 5."),
           4: ("Соответствует уровню 4.", "Уровень 4: пример конкретный, роль кандидата ясна.", "Оценка 4."),
           3: ("Соответствует уровню 3.", "Уровень 3: пример есть, последствия не проанализированы.", "Оценка 3."),
           2: ("Уровень 2: ответ общий, пример слабый.", "Соответствует уровню 2.", "Оценка 2."),
           1: ("Уровень 1: пример не приведён.", "Соответствует уровню 1.", "Оценка 1.")},
    "kk": {5: ("5-деңгейге толық сәйкес.", "5-деңгей: мысал дербес, нәтижесі өлшенеді.", "Бағасы 5."),
           4: ("4-деңгейге сәйкес.", "4-деңгей: мысал нақты, үміткердің рөлі анық.", "Бағасы 4."),
           3: ("3-деңгейге сәйкес.", "3-деңгей: мысал бар, салдары талданбаған.", "Бағасы 3."),
           2: ("2-деңгей: жауап жалпылама, мысал әлсіз.", "2-деңгейге сәйкес.", "Бағасы 2."),
           1: ("1-деңгей: мысал келтірілмеді.", "1-деңгейге сәйкес.", "Бағасы 1.")},
}
CONFLICT = ("commission4@merit.demo", "zhumabayeva",
            "Үміткер Мадина Жұмабаева — әпкемнің қызы (жиенім). Осы үміткерді бағалауға қатыспаймын.")
OUTLIER = ("commission5@merit.demo", "tileubayev", "decision_making",
           "Пример не засчитываю: решение фактически принял руководитель, кандидат его исполнил. Уровень 1.")
REVISION = (3, "После обсуждения: заключение об отказе в согласовании кандидат подготовил и обосновал сам, "
               "руководитель его только утвердил. Уровень 3.",
            "На обсуждении уточнили, что заключение об отказе в согласовании договора кандидат подготовил "
            "самостоятельно, а руководитель его лишь утвердил. Первоначальную оценку 1 пересматриваю на 3.")

OPEN_APPLICANTS = (
    Applicant(_p(9, "Әсем Қайратова", "kk", date(1995, 7, 14), True, "KZ-71"), {
        "education": "Мемлекеттік басқару академиясы, мемлекеттік және жергілікті басқару, 2017",
        "experience_years": 6,
        "statement": "Астана қаласы әкімдігінің мемлекеттік көрсетілетін қызметтер бөлімінде бас маман ретінде "
                     "жұмыс істеймін."},
        3, True, "Соответствует квалификационным требованиям: высшее образование по специальности «Государственное "
                 "и местное управление», стаж государственной службы 6 лет."),
    Applicant(_p(10, "Денис Пак", "ru", date(1997, 10, 2), False, "KZ-75"), {
        "education": "КБТУ, информационные системы, 2019",
        "experience_years": 4,
        "statement": "Аналитик АО «Национальные информационные технологии», сопровождение портала eGov."},
        51, None, ""),
    Applicant(_p(11, "Гүлжан Серғазина", "kk", date(1993, 1, 23), True, "KZ-55"), {
        "education": "С. Торайғыров атындағы Павлодар мемлекеттік университеті, экономика, 2015",
        "experience_years": 8,
        "statement": "Павлодар облысы әкімдігінің экономика басқармасында жұмыс істеймін."},
        74, None, ""),
)
# The demo candidates (and an applicant of the decided competition, whose valid test results are reused):
# (email, details, hours after the announcement, eligible or None while unchecked, HR's reason).
DEMO_APPLICATIONS = (
    ("candidate.kk@merit.demo", {"education": "Манаш Қозыбаев атындағы Солтүстік Қазақстан университеті, экономика, "
                                              "2017", "experience_years": 5,
                                 "statement": "Петропавл қаласындағы ХҚКО-да бес жыл жұмыс істедім, азаматтарға "
                                              "мемлекеттік қызметтер көрсетемін."},
     20, True, "Соответствует квалификационным требованиям: высшее экономическое образование, стаж работы в ЦОН "
               "5 лет (область, соответствующая функциональным направлениям)."),
    ("candidate.ru@merit.demo", {"education": "Павлодарский государственный университет им. С. Торайгырова, "
                                              "юриспруденция, 2010", "experience_years": 14,
                                 "statement": "Главный специалист отдела контроля управления цифровизации Павлодарской "
                                              "области."},
     30, True, "Соответствует квалификационным требованиям: высшее юридическое образование, стаж государственной "
               "службы 14 лет."),
    ("candidate.en@merit.demo", {"education": "Nazarbayev University, BA in Public Policy, 2022", "experience_years": 2,
                                 "statement": "Analyst at a public-service design lab in Almaty; I want to bring user "
                                              "research into public services."},
     80, None, ""),
    ("applicant04@merit.demo", {"education": "Карагандинский университет им. Е.А. Букетова, юриспруденция, 2012",
                                "experience_years": 10,
                                "statement": "Участвую также в конкурсе на должность главного эксперта Юридического "
                                             "департамента. Опыт работы в ЦОН и НАО «Правительство для граждан»."},
     60, True, "Соответствует квалификационным требованиям: высшее юридическое образование, стаж работы в сфере "
               "государственных услуг 10 лет. Действующие результаты тестирования учтены."),
)


def load(db: Database) -> Iterator[str]:
    yield _decided(db)
    yield _in_progress(db)


def _exists(db: Database, title: str) -> bool:
    with db.read() as session:
        return session.exec(select(Competition.id).where(Competition.title == title)).first() is not None


def _account(db: Database, person: Person) -> CurrentUser:
    """The person's account, created on first use (so a run interrupted half-way can be repeated)."""
    with db.read() as session:
        found = session.exec(select(User.id).where(User.email == person.email)).first()
    if found is not None:
        return current_user(db, found)
    from recruit.demo import DEMO_PASSWORD

    return create_user(db, Registration(
        full_name=person.full_name, email=person.email, roles=person.roles, language=person.language,
        iin=demo_iin(person.born, person.female, 7000 + int(person.email[9:11]) * 10) if person.born else "",
        region_code=person.region_code, password=DEMO_PASSWORD, password_confirm=DEMO_PASSWORD),
        actor=SYSTEM, require_consent=False)


def _by_email(db: Database, email: str) -> CurrentUser:
    with db.read() as session:
        return current_user(db, session.exec(select(User.id).where(User.email == email)).one())


def demo_iin(born: date, female: bool, serial: int) -> str:
    """A valid IIN: birth date, the century-and-sex digit, the first serial from `serial` that admits a check digit.
    Demo applicants are born on distinct dates outside January 1990 (the practice candidates' month)."""
    sex = (3 if born.year < 2000 else 5) + female
    while True:
        first = f"{born:%y%m%d}{sex}{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
        serial += 1


def _morning(moment: datetime, days: int, hour: int = 4) -> datetime:
    """`days` from `moment`, at `hour` UTC (Astana is UTC+5)."""
    return (moment + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _decided(db: Database) -> str:
    done = (f"Competition: '{DECIDED_TITLE}' decided by its commission: 8 applicants, tests, interviews, ranking and "
            f"protocol (sign in as commission@merit.demo or hr@merit.demo; members commission2..6@merit.demo, "
            f"applicants applicant01..08@merit.demo)")
    if _exists(db, DECIDED_TITLE):
        return done
    hr, chair = _by_email(db, "hr@merit.demo"), _by_email(db, CHAIR)
    members = [_account(db, p) for p in MEMBERS]
    secretary = _account(db, SECRETARY)
    people = [_account(db, a.person) for a in DECIDED]

    now = utcnow()
    announced, closes = _morning(now, -30), (now + timedelta(minutes=2)).replace(second=0, microsecond=0)
    competition = service.announce(db, hr, service.Announcement(
        title=DECIDED_TITLE, state_body_code="acsa", position_category_code="B-4", region_code="KZ-71",
        kind="general", posts=1, requirements=DECIDED_REQUIREMENTS, closes_at=closes), announced)
    applications = [service.apply(db, person, competition.id, a.details, True,
                                  announced + timedelta(hours=a.applied_hours, minutes=17 * n))
                    for n, (person, a) in enumerate(zip(people, DECIDED, strict=True))]
    checked = _morning(announced, 10, hour=5)
    for n, (application, a) in enumerate(zip(applications, DECIDED, strict=True)):
        service.check_eligibility(db, hr, application.id, a.eligible, a.reason, checked + timedelta(minutes=12 * n))
    voting = [chair, *members]
    commission.form_commission(db, hr, competition.id, [(chair.id, commission.CHAIR), *(
        (m.id, commission.MEMBER) for m in members), (secretary.id, commission.SECRETARY)], checked + timedelta(hours=3))

    # The tests, in a hall within the last hour: legislation, then the competency assessment for those who passed.
    legislation = exams.create_sitting(db, SYSTEM, title=LEGISLATION_SITTING, program_code="corps-b",
                                       opens_at=now - timedelta(minutes=55), closes_at=now - timedelta(minutes=5),
                                       mode="venue", venue=HALL, region_code="KZ-71", capacity=30)
    competency = exams.create_sitting(db, SYSTEM, title=COMPETENCY_SITTING, program_code="competency",
                                      opens_at=now - timedelta(minutes=25), closes_at=now - timedelta(minutes=5),
                                      mode="venue", venue=HALL, region_code="KZ-71", capacity=30)
    _hall(db, legislation.id, now - timedelta(minutes=50), timedelta(seconds=25),
          [(person, {"right": a.right}) for person, a in zip(people, DECIDED, strict=True) if a.right is not None])
    service.advance(db, now - timedelta(minutes=20))
    _hall(db, competency.id, now - timedelta(minutes=20), timedelta(seconds=20),
          [(person, {"agreement": a.agreement}) for person, a in zip(people, DECIDED, strict=True)
           if a.agreement is not None])
    service.close_testing(db, hr, competition.id, closes)

    # The interviews, then the final session.
    at = closes
    with db.read() as session:
        rows = session.exec(select(Interview, Application).join(Application, Application.id == Interview.application_id)
                            .where(Interview.competition_id == competition.id)).all()
    by_candidate = {application.candidate_id: interview for interview, application in rows}
    emails = [CHAIR, *(p.email for p in MEMBERS)]
    for person, a in zip(people, DECIDED, strict=True):
        interview = by_candidate.get(person.id)
        if interview is None:
            continue
        language, sheet = INTERVIEWS[a.interview]
        for member, email in zip(voting, emails, strict=True):
            conflicted = (email, a.interview) == CONFLICT[:2]
            commission.declare(db, member, interview.application_id, conflicted, CONFLICT[2] if conflicted else "", at)
        for k, (member, email) in enumerate(zip(voting, emails, strict=True)):
            if (email, a.interview) == CONFLICT[:2]:
                continue
            scores = {}
            for code, (levels, observed) in sheet.items():
                level = levels[k]
                evidence = f"{observed} {VERDICTS[language][level][k % 3]}"
                if (email, a.interview, code) == OUTLIER[:3]:
                    evidence = OUTLIER[3]
                scores[code] = {"level": level, "evidence": evidence}
            interviews.submit(db, member, interview.id, scores, at + timedelta(seconds=10 * (k + 1)))
            if (email, a.interview) == OUTLIER[:2]:
                outlier = (member, interview, scores)
        at += timedelta(minutes=1)
    member, interview, scores = outlier
    level, evidence, justification = REVISION
    interviews.revise(db, member, interview.id, {**scores, OUTLIER[2]: {"level": level, "evidence": evidence}},
                      justification, at)
    interviews.finish_moderation(db, chair, interview.id, at + timedelta(seconds=30))
    protocols.hold_final_session(db, chair, competition.id, PLACE, at + timedelta(minutes=1))
    return done


def _hall(db: Database, sitting_id: int, when: datetime, pace: timedelta,
          seats: list[tuple[CurrentUser, dict[str, float]]]) -> None:
    """Everyone sits at once, as in a hall: their answers share the database's commits (and the demo is quicker).
    Each candidate draws from their own random generator, so the outcome does not depend on the threads' order."""
    with ThreadPoolExecutor(max_workers=len(seats)) as pool:
        for done in [pool.submit(_sit, db, candidate, sitting_id, when, pace,
                                 random.Random(f"{candidate.email}:{sorted(how.items())}"), **how)
                     for candidate, how in seats]:
            done.result()


def _sit(db: Database, candidate: CurrentUser, sitting_id: int, when: datetime, pace: timedelta, rng: random.Random,
         right: int | None = None, agreement: float | None = None) -> None:
    """Sit a test through the exam service: `right` answers right on a knowledge test (the slots drawn at random),
    or agreement levels around `agreement` on the competency assessment. An answer every `pace`."""
    token = f"demo-{candidate.email}"
    exams.book(db, candidate, sitting_id, when, actor=SYSTEM)
    view, _ = exams.start(db, candidate, sitting_id, candidate.language, when, token)
    with db.read() as session:
        attempt = session.get(Attempt, view.id)
        form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
        items = items_by_version(session, [(fi.item_id, fi.version) for fi in form.items])
    right_slots = set(rng.sample(range(1, len(form.items) + 1), right or 0))
    for slot, form_item in enumerate(form.items, start=1):
        item = items[(form_item.item_id, form_item.version)]
        if item.competency:
            level = min(5, max(1, round(rng.gauss(agreement, 0.7))))
            keys = [str(6 - level if item.reverse_keyed else level)]
        else:
            wrong = [o.key for o in item.options if o.key not in item.key]
            keys = sorted(item.key) if slot in right_slots or not wrong else [rng.choice(wrong)]
        exams.save(db, candidate, view.id, slot, [exams.option_id(attempt.option_salt, slot, key) for key in keys],
                   slot, when + pace * slot, token)
    exams.submit(db, candidate, view.id, when + pace * (len(form.items) + 2))


def _in_progress(db: Database) -> str:
    done = (f"Competition: '{OPEN_TITLE}' taking applications, commission formed; the demo candidates have applied "
            f"(sign in as candidate.kk@merit.demo, hr@merit.demo or commission@merit.demo)")
    if _exists(db, OPEN_TITLE):
        return done
    now = utcnow().replace(second=0, microsecond=0)
    hr, chair = _by_email(db, "hr@merit.demo"), _by_email(db, CHAIR)
    members = [_account(db, p) for p in MEMBERS[:2]]
    secretary = _account(db, SECRETARY)
    announced = _morning(now, -4)
    competition = service.announce(db, hr, service.Announcement(
        title=OPEN_TITLE, state_body_code="acsa", position_category_code="B-5", region_code="KZ-71",
        kind="general", posts=1, requirements=OPEN_REQUIREMENTS, closes_at=_morning(now, 5, hour=13)), announced)
    commission.form_commission(db, hr, competition.id, [(chair.id, commission.CHAIR), *(
        (m.id, commission.MEMBER) for m in members), (secretary.id, commission.SECRETARY)],
        announced + timedelta(hours=5))
    entries = [(_account(db, a.person), a.details, a.applied_hours, a.eligible, a.reason) for a in OPEN_APPLICANTS]
    entries += [(_by_email(db, email), *rest) for email, *rest in DEMO_APPLICATIONS]
    checks = []
    for n, (person, details, hours, eligible, reason) in enumerate(entries):
        applied = min(announced + timedelta(hours=hours, minutes=23 * n), now - timedelta(minutes=30))
        application = service.apply(db, person, competition.id, details, True, applied)
        if eligible is not None:
            # Applicant 04 sat her tests in the last hour (for the decided competition): HR checks her now, and
            # the pipeline reuses her valid legislation result. The others are checked the morning after applying.
            checked = now if person.email == "applicant04@merit.demo" else min(
                _morning(applied, 1, hour=5) + timedelta(minutes=7 * n), now)
            checks.append((checked, application.id, eligible, reason))
    for checked, application_id, eligible, reason in sorted(checks):
        service.check_eligibility(db, hr, application_id, eligible, reason, checked)
    return done
