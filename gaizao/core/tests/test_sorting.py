from gaizao.core.sorting import natural_key


def test_building_numbers_sort_as_people_expect():
    names = ["10栋", "2栋", "A栋", "1栋", "１１栋", "综合楼"]
    assert sorted(names, key=natural_key) == ["1栋", "2栋", "10栋", "１１栋", "A栋", "综合楼"]
