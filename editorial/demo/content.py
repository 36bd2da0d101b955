"""The demo article, written for this project in plain language (grade 8 or below is the aim)."""

IORT_TITLE = "Radiation during breast cancer surgery (IORT)"

IORT_SUMMARY = (
    "Some people with early breast cancer can have a single dose of radiation while still in the "
    "operating room, instead of weeks of treatment afterwards. Here is who it may suit and what to ask."
)

IORT_BODY = """\
## What is IORT?

Intraoperative radiation therapy (IORT) gives radiation to the area where a breast tumor was, \
during the same operation that removes it. The surgeon takes out the tumor. Then, before the cut is \
closed, a radiation oncologist aims one dose of radiation right at the tissue around the space the \
tumor left [@tom2019].

Most people who have breast-conserving surgery get radiation afterwards. That usually means visits \
to a treatment center on most weekdays for three to six weeks. With IORT, all or part of that \
treatment happens in one session that adds about half an hour to surgery.

## Who might be a good fit?

IORT is not right for everyone. A group of radiation experts advises that, for breast cancer, IORT given on its own (with no radiation afterwards) should for now be offered only as part of a clinical study [@tom2019]. People who join such studies are usually older and have a small, early-stage tumor that has not spread to the lymph nodes.

Your care team will look at your own results before suggesting it.

## What are the benefits and the risks?

The main benefit is fewer trips for treatment. This can matter a lot if you live far from a \
treatment center or care for others at home.

In studies so far, the cancer came back in the same breast somewhat more often after IORT alone \
than after weeks of standard radiation, which is one reason experts want more research \
[@tom2019]. Side effects can include swelling, fluid build-up, or firm tissue where the tumor was.

## Questions to ask your care team

- Am I a good fit for IORT based on my tumor and test results?
- Could I still need more radiation after surgery?
- How does my risk of the cancer coming back compare with standard radiation?
- What side effects should I watch for at home?
"""

# Structured records, so the reference list is formatted by the same code as any import.
DEMO_CITATIONS = [
    {
        "type": "article-journal",
        "authors": [  # all 17, in the order the paper lists them
            {"family": "Tom", "given": "Martin C"},
            {"family": "Joshi", "given": "Nikhil"},
            {"family": "Vicini", "given": "Frank"},
            {"family": "Chang", "given": "Albert J"},
            {"family": "Hong", "given": "Theodore S"},
            {"family": "Showalter", "given": "Timothy N"},
            {"family": "Chao", "given": "Samuel T"},
            {"family": "Wolden", "given": "Suzanne"},
            {"family": "Wu", "given": "Abraham J"},
            {"family": "Martin", "given": "Douglas"},
            {"family": "Husain", "given": "Zain"},
            {"family": "Badiyan", "given": "Shahed N"},
            {"family": "Kolar", "given": "Matthew"},
            {"family": "Sherertz", "given": "Tracy"},
            {"family": "Mourtada", "given": "Firas"},
            {"family": "Cohen", "given": "Gilad N"},
            {"family": "Shah", "given": "Chirag"},
        ],
        "title": "The American Brachytherapy Society consensus statement on intraoperative radiation therapy",
        "container_title": "Brachytherapy",
        "year": 2019, "volume": "18", "issue": "3", "pages": "242-257",
        "doi": "10.1016/j.brachy.2018.12.005", "key": "tom2019",
    },
]

SURGERY_DAY_TITLE = "Breast-conserving surgery: what happens on the day"
SURGERY_DAY_SUMMARY = "A step-by-step look at the day of a lumpectomy, from check-in to going home."
SURGERY_DAY_BODY = """\
## Before you arrive

You will be told when to stop eating and drinking. Bring a list of the medicines you take and \
wear a loose top that buttons at the front.

## In the hospital

A nurse checks your details and places a small tube in your arm for fluids and medicine. If the \
tumor cannot be felt, a radiologist may first mark its place with a thin wire or a tiny seed.

The operation usually takes one to two hours. Some centers can also give a dose of radiation \
during the same operation, called intraoperative radiation therapy (IORT) [@tom2019]. Ask your \
team whether this is offered where you are treated and whether it would suit you.

## Going home

Most people go home the same day. Someone should drive you and stay with you that night.
"""

AFTER_LUMPECTOMY_TITLE = "Radiation after a lumpectomy: common questions"
AFTER_LUMPECTOMY_SUMMARY = "Why radiation is usually advised after breast-conserving surgery, and what the options are."
AFTER_LUMPECTOMY_BODY = """\
## Why is radiation advised?

After a lumpectomy, a few cancer cells can remain in the breast even when the edges of the removed \
tissue are clear. Radiation lowers the chance that the cancer comes back in that breast.

## Are there different ways to give it?

Yes. Most people have treatment on weekdays for a few weeks. Some have radiation aimed only at \
the part of the breast where the tumor was. A few centers give radiation during surgery, and \
experts have written guidance on when that may be used [@tom2019].

## Talk with your team

Your radiation oncologist will explain which option fits your situation and why.
"""
